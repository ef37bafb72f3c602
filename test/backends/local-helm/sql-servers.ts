import mysql from 'mysql2/promise';
import type { PrivateMariadb } from '../../support/mariadb.ts';

/** The chart's Secret holds the root password, so the private server gets the same one (every root account). */
export async function setRootPassword(db: PrivateMariadb, password: string): Promise<void> {
  const conn = await mysql.createConnection({ host: db.host, port: db.port, user: 'root', password: '' });
  try {
    const [rows] = await conn.query("SELECT Host AS host FROM mysql.user WHERE User = 'root'");
    for (const { host } of rows as Array<{ host: string }>) {
      // mariadb-install-db also lists root@<hostname>, which ALTER USER refuses; that one never matches TCP logins.
      await conn.query('ALTER USER ?@? IDENTIFIED BY ?', ['root', host, password]).catch(() => undefined);
    }
  } finally {
    await conn.end();
  }
}
