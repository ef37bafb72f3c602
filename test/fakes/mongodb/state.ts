import type { Document, UUID } from 'mongodb';
import type { RoleRef } from './roles.ts';
import type { ScramConversation, ScramCredentials } from './scram.ts';

export interface StoredUser {
  userId: UUID;
  user: string;
  db: string;
  roles: RoleRef[];
  credentials: ScramCredentials;
}

/** What the server holds: users as in admin.system.users (keyed by `<db>.<user>`), documents by namespace. */
export interface ServerState {
  users: Map<string, StoredUser>;
  collections: Map<string, Document[]>;
  /** Set when the server plays the (only, hence primary) member of a replica set; `me` is its host:port. */
  replicaSet?: { name: string; me: string };
}

export const userKey = (db: string, user: string) => `${db}.${user}`;

export interface Connection {
  id: number;
  /** The user key this connection authenticated as; looked up per command, so a dropped user loses access at once. */
  principal?: string;
  sasl?: SaslSession;
}

export interface SaslSession {
  userKey: string;
  conversation: ScramConversation;
  /** The ClientProof was right; without `skipEmptyExchange` one more empty round ends the conversation. */
  proven: boolean;
  skipEmptyExchange: boolean;
}

export interface CommandContext {
  state: ServerState;
  connection: Connection;
  db: string;
  body: Document;
}

export type CommandHandler = (context: CommandContext) => Document | Promise<Document>;
