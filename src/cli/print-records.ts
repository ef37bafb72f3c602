import { publicView } from './public-view.ts';
import { textTable } from './text-table.ts';

interface Listing<R> {
  /** What is listed, for the empty message ("service instances"). */
  noun: string;
  headers: string[];
  row(record: R): string[];
}

/** Prints records as a table, or as JSON with every encrypted field masked. */
export function printRecords<R extends object>(records: R[], json: boolean, listing: Listing<R>): void {
  if (json) {
    process.stdout.write(
      `${JSON.stringify(
        records.map((r) => publicView(r)),
        null,
        2,
      )}\n`,
    );
  } else if (records.length === 0) {
    process.stdout.write(`no ${listing.noun}\n`);
  } else {
    process.stdout.write(`${textTable(listing.headers, records.map(listing.row))}\n`);
  }
}
