import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { register } from "~/web/actions/auth";
import { ActionForm, Field, SubmitButton } from "~/web/components/form";
import { getViewer } from "~/web/viewer";

export const metadata: Metadata = { title: "Create an account" };

type Props = { searchParams: Promise<{ next?: string }> };

export default async function RegisterPage({ searchParams }: Props) {
  const { next } = await searchParams;
  if (await getViewer()) redirect("/account");
  return (
    <main id="main">
      <h1>Create an account</h1>
      <ActionForm action={register} label="Create an account">
        <input type="hidden" name="next" value={next ?? "/catalog"} />
        <Field name="displayName" label="Your name" autoComplete="name" required maxLength={100} />
        <Field name="email" label="Email" type="email" autoComplete="email" required maxLength={254} />
        <Field name="password" label="Password" type="password" autoComplete="new-password" required hint="At least 8 characters." />
        <Field name="confirmPassword" label="Repeat the password" type="password" autoComplete="new-password" required />
        <div>
          <SubmitButton pendingLabel="Creating your account…">Create account</SubmitButton>
        </div>
      </ActionForm>
      <p>
        Already have an account? <Link href="/login">Sign in</Link>
      </p>
    </main>
  );
}
