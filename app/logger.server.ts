/** One JSON line per event on stderr: greppable locally, parseable by any log service. */
type Fields = Record<string, unknown>;

function write(level: "debug" | "info" | "warn" | "error", message: string, fields?: Fields) {
  if (level === "debug" && !process.env.TOKUI_DEBUG) return;
  if (process.env.TOKUI_LOG === "silent") return;
  const line = JSON.stringify({ t: new Date().toISOString(), level, message, ...fields }, (_k, v) =>
    typeof v === "bigint" ? v.toString() : v,
  );
  process.stderr.write(`${line}\n`);
}

export const logger = {
  debug: (message: string, fields?: Fields) => write("debug", message, fields),
  info: (message: string, fields?: Fields) => write("info", message, fields),
  warn: (message: string, fields?: Fields) => write("warn", message, fields),
  error: (message: string, fields?: Fields) => write("error", message, fields),
};
