// The local mail server: MailDev (the `maildev` package) catches every mail the processor sends
// over real SMTP and shows it in a web page. `npm start`, the browser tests and the processor's
// mail tests all use it; the tests read what it caught through its REST API.
import { MailDev } from "maildev";

export interface CaughtMail {
  id: string;
  subject: string;
  from: Array<{ address: string; name: string }>;
  to: Array<{ address: string; name: string }>;
  text: string;
  html: string;
  /** Lower-cased header names. */
  headers: Record<string, string | string[]>;
  time: string;
}

export interface RunningMailCatcher {
  /** SMTP on 127.0.0.1, no TLS, no authentication. */
  smtpPort: number;
  /** The web page listing the caught mail; its REST API is under /api. */
  webUrl: string;
  /** Every mail caught so far, oldest first. */
  messages(): Promise<CaughtMail[]>;
  close(): Promise<void>;
}

export interface MailCatcherOptions {
  /** 0 picks a free port. */
  smtpPort: number;
  webPort: number;
  /** Caught mail is kept here as .eml files and shown again after a restart. */
  mailDirectory: string;
}

export async function startMailCatcher(options: MailCatcherOptions): Promise<RunningMailCatcher> {
  const maildev = new MailDev({
    smtp: options.smtpPort,
    web: options.webPort,
    ip: "127.0.0.1",
    webIp: "127.0.0.1",
    mailDirectory: options.mailDirectory,
    silent: true,
  });
  const { smtp, api } = await maildev.start();
  const webPort = api?.getAddress()?.port;
  if (webPort === undefined) {
    await maildev.stop();
    throw new Error("MailDev started without its web interface");
  }
  const webUrl = `http://127.0.0.1:${webPort}`;
  return {
    smtpPort: smtp.getPort(),
    webUrl,
    async messages() {
      const res = await fetch(`${webUrl}/api/email?sort=asc`, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`MailDev answered ${res.status} to GET /api/email`);
      return (await res.json()) as CaughtMail[];
    },
    close: () => maildev.stop(),
  };
}
