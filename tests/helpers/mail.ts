// A real SMTP server for tests: MailDev (scripts/local/mail-catcher.ts, as `npm start` runs it)
// on free ports with its own mail folder. Tests stop and start it again on the same SMTP port to
// make a mail-server outage, and read what it caught through its REST API.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startMailCatcher, type CaughtMail, type RunningMailCatcher } from "../../scripts/local/mail-catcher.ts";
import { waitFor } from "./wait";

export type { CaughtMail };

export interface TestMailServer {
  readonly smtpPort: number;
  /** The processor's SMTP settings for this server. */
  readonly env: Record<string, string>;
  messages(): Promise<CaughtMail[]>;
  /** Caught mail sent to `address`. */
  to(address: string): Promise<CaughtMail[]>;
  /** Waits until `address` has received `count` mails (and no more), and returns them. */
  waitForMails(address: string, count: number): Promise<CaughtMail[]>;
  /** Stops the SMTP server: connections are refused until start(). */
  stop(): Promise<void>;
  /** Starts it again on the same port, with the mail it caught before. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestMailServer(): Promise<TestMailServer> {
  const mailDirectory = await mkdtemp(path.join(tmpdir(), "lavka-mail-"));
  let running: RunningMailCatcher | null = await startMailCatcher({ smtpPort: 0, webPort: 0, mailDirectory });
  const smtpPort = running.smtpPort;
  const current = () => {
    if (!running) throw new Error("the test mail server is stopped");
    return running;
  };
  const to = async (address: string) => (await current().messages()).filter((m) => m.to.some((t) => t.address.toLowerCase() === address.toLowerCase()));
  return {
    smtpPort,
    env: { SMTP_HOST: "127.0.0.1", SMTP_PORT: String(smtpPort), SMTP_TLS: "none", PUBLIC_WEB_URL: "https://shop.example.test" },
    messages: () => current().messages(),
    to,
    async waitForMails(address, count) {
      const mails = await waitFor(async () => {
        const got = await to(address);
        if (got.length > count) throw new Error(`${address} received ${got.length} mails, expected ${count}: ${got.map((m) => m.subject).join("; ")}`);
        return got.length === count ? got : null;
      }, { describe: async () => `${count} mails to ${address}; so far: ${(await to(address)).map((m) => m.subject).join("; ") || "none"}` });
      return mails;
    },
    async stop() {
      await running?.close();
      running = null;
    },
    async start() {
      if (running) return;
      running = await startMailCatcher({ smtpPort, webPort: 0, mailDirectory });
    },
    async close() {
      await running?.close();
      running = null;
      await rm(mailDirectory, { recursive: true, force: true });
    },
  };
}
