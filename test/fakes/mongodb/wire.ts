import { BSON, type Document } from 'mongodb';

// MongoDB wire protocol framing (https://www.mongodb.com/docs/manual/reference/mongodb-wire-protocol/).
const HEADER_BYTES = 16;
export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_MSG = 2013;
const MSG_CHECKSUM_PRESENT = 1;
const MSG_MORE_TO_COME = 2;

export interface WireRequest {
  requestId: number;
  /** OP_QUERY is only the legacy handshake; everything else is OP_MSG. */
  opCode: typeof OP_QUERY | typeof OP_MSG;
  db: string;
  body: Document;
  /** The client expects no reply (OP_MSG moreToCome, e.g. `w: 0` writes). */
  noReply: boolean;
}

function cstringAt(buffer: Buffer, offset: number): { value: string; next: number } {
  const end = buffer.indexOf(0, offset);
  return { value: buffer.toString('utf8', offset, end), next: end + 1 };
}

function documentAt(buffer: Buffer, offset: number): { value: Document; next: number } {
  const size = buffer.readInt32LE(offset);
  return { value: BSON.deserialize(buffer.subarray(offset, offset + size)), next: offset + size };
}

function decodeOpMsg(requestId: number, message: Buffer): WireRequest {
  const flags = message.readUInt32LE(HEADER_BYTES);
  const end = message.length - (flags & MSG_CHECKSUM_PRESENT ? 4 : 0);
  let body: Document = {};
  const sequences: Document = {};
  for (let offset = HEADER_BYTES + 4; offset < end; ) {
    const kind = message.readUInt8(offset);
    if (kind === 0) {
      const section = documentAt(message, offset + 1);
      body = section.value;
      offset = section.next;
      continue;
    }
    // Kind 1: a document sequence that stands for one array field of the body (`documents` of an insert).
    const sectionEnd = offset + 1 + message.readInt32LE(offset + 1);
    const identifier = cstringAt(message, offset + 5);
    const documents: Document[] = [];
    for (let at = identifier.next; at < sectionEnd; ) {
      const document = documentAt(message, at);
      documents.push(document.value);
      at = document.next;
    }
    sequences[identifier.value] = documents;
    offset = sectionEnd;
  }
  const merged = { ...body, ...sequences };
  return { requestId, opCode: OP_MSG, db: String(merged.$db), body: merged, noReply: (flags & MSG_MORE_TO_COME) !== 0 };
}

function decodeOpQuery(requestId: number, message: Buffer): WireRequest {
  const collection = cstringAt(message, HEADER_BYTES + 4);
  // numberToSkip and numberToReturn follow the collection name; commands ignore them.
  const query = documentAt(message, collection.next + 8);
  const db = collection.value.slice(0, collection.value.indexOf('.'));
  return { requestId, opCode: OP_QUERY, db, body: query.value, noReply: false };
}

/** Splits a byte stream into whole messages, decoded. Unknown op codes are a protocol error of the client. */
export class MessageReader {
  private pending = Buffer.alloc(0);

  push(chunk: Buffer): WireRequest[] {
    this.pending = Buffer.concat([this.pending, chunk]);
    const requests: WireRequest[] = [];
    while (this.pending.length >= 4 && this.pending.length >= this.pending.readInt32LE(0)) {
      const message = this.pending.subarray(0, this.pending.readInt32LE(0));
      this.pending = this.pending.subarray(message.length);
      const requestId = message.readInt32LE(4);
      const opCode = message.readInt32LE(12);
      if (opCode === OP_MSG) requests.push(decodeOpMsg(requestId, message));
      else if (opCode === OP_QUERY) requests.push(decodeOpQuery(requestId, message));
      else throw new Error(`unsupported op code ${opCode}`);
    }
    return requests;
  }
}

let nextRequestId = 1;

function header(bodyLength: number, responseTo: number, opCode: number): Buffer {
  const buffer = Buffer.alloc(HEADER_BYTES);
  buffer.writeInt32LE(HEADER_BYTES + bodyLength, 0);
  buffer.writeInt32LE(nextRequestId++, 4);
  buffer.writeInt32LE(responseTo, 8);
  buffer.writeInt32LE(opCode, 12);
  return buffer;
}

/** The reply in the request's own op code: OP_REPLY to an OP_QUERY, OP_MSG to an OP_MSG. */
export function encodeReply(request: WireRequest, reply: Document): Buffer {
  const document = Buffer.from(BSON.serialize(reply));
  if (request.opCode === OP_MSG) {
    const body = Buffer.concat([Buffer.alloc(4), Buffer.from([0]), document]);
    return Buffer.concat([header(body.length, request.requestId, OP_MSG), body]);
  }
  // responseFlags, cursorID (8 bytes), startingFrom, numberReturned.
  const prefix = Buffer.alloc(20);
  prefix.writeInt32LE(1, 16);
  const body = Buffer.concat([prefix, document]);
  return Buffer.concat([header(body.length, request.requestId, OP_REPLY), body]);
}
