/**
 * Which SQL the app's Prisma client really runs on SQLite, and how long each statement takes:
 * the Prisma driver adapter prepares every statement through better-sqlite3 in this process, so
 * wrapping `Database.prototype.prepare` sees each statement with its bound arguments. Switched
 * on only for a traced run (the timed runs go through the unwrapped driver).
 */
import Sqlite from "better-sqlite3";

export interface TracedStatement {
  sql: string;
  args: unknown[];
  ms: number;
  rows: number;
}

type Statement = ReturnType<Sqlite.Database["prepare"]>;

export function sqliteTracer() {
  const proto = Sqlite.prototype as unknown as { prepare(this: Sqlite.Database, sql: string): Statement };
  const original = proto.prepare;
  let traced: TracedStatement[] = [];
  return {
    start() {
      traced = [];
      proto.prepare = function prepare(this: Sqlite.Database, sql: string): Statement {
        const stmt = original.call(this, sql);
        let args: unknown[] = [];
        const bind = stmt.bind.bind(stmt) as (...values: unknown[]) => Statement;
        const self = stmt as unknown as Record<string, unknown>;
        self.bind = (...values: unknown[]) => {
          args = values.length === 1 && Array.isArray(values[0]) ? (values[0] as unknown[]) : values;
          bind(...values);
          return stmt;
        };
        for (const method of ["all", "get", "run", "iterate"] as const) {
          const call = (stmt[method] as (...a: unknown[]) => unknown).bind(stmt);
          self[method] = (...a: unknown[]) => {
            const started = performance.now();
            const result = call(...a);
            const rows = Array.isArray(result) ? result.length : result === undefined ? 0 : 1;
            traced.push({ sql, args: a.length > 0 ? a : args, ms: performance.now() - started, rows });
            return result;
          };
        }
        return stmt;
      };
    },
    stop(): TracedStatement[] {
      proto.prepare = original;
      return traced;
    },
  };
}
