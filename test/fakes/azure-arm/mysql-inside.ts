import mysql from 'mysql2/promise';
import { type MysqlAdmin, withMysqlAdmin } from '../../../src/plugin-api/mysql-accounts.ts';

/** What Azure does inside a Flexible Server, played on a real MySQL/MariaDB: the admin account and databases. */
export class MysqlInside {
  constructor(private readonly root: MysqlAdmin) {}

  async ensureAdmin(login: string, password: string): Promise<void> {
    await withMysqlAdmin(this.root, async (conn) => {
      await conn.query("CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?", [login, password]);
      await conn.query("ALTER USER ?@'%' IDENTIFIED BY ?", [login, password]);
      await conn.query("GRANT ALL PRIVILEGES ON *.* TO ?@'%' WITH GRANT OPTION", [login]);
    });
  }

  async createDatabase(name: string): Promise<void> {
    await withMysqlAdmin(this.root, (conn) => conn.query(`CREATE DATABASE IF NOT EXISTS ${mysql.escapeId(name)}`));
  }

  async dropDatabase(name: string): Promise<void> {
    await withMysqlAdmin(this.root, (conn) => conn.query(`DROP DATABASE IF EXISTS ${mysql.escapeId(name)}`));
  }
}
