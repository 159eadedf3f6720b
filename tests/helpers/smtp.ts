/**
 * A real SMTP server on loopback (smtp-server) that records what it accepts, for tests and the
 * follow-up benchmark. `reply` decides per recipient whether to refuse it (e.g. 451 once, 550).
 */
import net from "node:net";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  rcptTo: string[];
  messageId: string | null;
  raw: string;
}

export interface LoopbackSmtp {
  port: number;
  received: ReceivedMail[];
  /** Accepted messages per Message-ID. */
  countsByMessageId(): Map<string, number>;
  stop(): Promise<void>;
}

export interface LoopbackSmtpOptions {
  /** A refusal for this recipient: [code, text], or null to accept. */
  reply?: (address: string) => [number, string] | null;
  user?: string;
  password?: string;
  /** Keep only headers (the benchmark receives 100k mails). */
  headersOnly?: boolean;
}

export async function startLoopbackSmtp(options: LoopbackSmtpOptions = {}): Promise<LoopbackSmtp> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    authOptional: options.user === undefined,
    authMethods: ["PLAIN", "LOGIN"],
    size: 1024 * 1024,
    onAuth(auth, _session, callback) {
      if (auth.username === options.user && auth.password === options.password) callback(null, { user: auth.username });
      else callback(Object.assign(new Error("5.7.8 Authentication credentials invalid"), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      const refusal = options.reply?.(address.address) ?? null;
      if (refusal) return callback(Object.assign(new Error(refusal[1]), { responseCode: refusal[0] }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("latin1");
        const head = raw.slice(0, raw.indexOf("\r\n\r\n")).replace(/\r\n(?=[ \t])/g, "");
        const messageId = /^message-id:\s*(.+)$/im.exec(head)?.[1]?.trim() ?? null;
        received.push({ rcptTo: session.envelope.rcptTo.map((r) => r.address), messageId, raw: options.headersOnly ? head : raw });
        callback(null, "2.0.0 Ok: queued");
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as net.AddressInfo).port;
  return {
    port,
    received,
    countsByMessageId() {
      const counts = new Map<string, number>();
      for (const m of received) if (m.messageId) counts.set(m.messageId, (counts.get(m.messageId) ?? 0) + 1);
      return counts;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
