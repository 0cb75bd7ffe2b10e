import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { signIn } from "~/web/actions/auth";
import { ActionForm, Field, SubmitButton } from "~/web/components/form";
import { getViewer } from "~/web/viewer";

export const metadata: Metadata = { title: "Sign in" };

type Props = { searchParams: Promise<{ next?: string; reason?: string }> };

export default async function LoginPage({ searchParams }: Props) {
  const { next, reason } = await searchParams;
  if (await getViewer()) redirect(next?.startsWith("/") && !next.startsWith("//") ? next : "/");
  return (
    <main id="main">
      <h1>Sign in</h1>
      {reason === "seller" ? (
        <p className="notice ok" role="status">
          Your shop is open. Sign in again to start selling.
        </p>
      ) : next ? (
        <p className="notice">Please sign in to continue.</p>
      ) : null}
      <ActionForm action={signIn} label="Sign in">
        <input type="hidden" name="next" value={next ?? "/"} />
        <Field name="email" label="Email" type="email" autoComplete="email" required maxLength={254} />
        <Field name="password" label="Password" type="password" autoComplete="current-password" required />
        <div>
          <SubmitButton pendingLabel="Signing in…">Sign in</SubmitButton>
        </div>
      </ActionForm>
      <p>
        New to Lavka? <Link href={next ? `/register?next=${encodeURIComponent(next)}` : "/register"}>Create an account</Link>
      </p>
    </main>
  );
}
