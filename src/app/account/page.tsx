import type { Metadata } from "next";
import Link from "next/link";
import { becomeSeller, changeMailLocale, changePassword } from "~/web/actions/auth";
import { ActionForm, Field, SubmitButton } from "~/web/components/form";
import { webConfig } from "~/web/config";
import { localeSample, mailLocaleOptions } from "~/web/format";
import { viewerTime } from "~/web/viewer-time";
import { requireViewer } from "~/web/viewer";

export const metadata: Metadata = { title: "Your account" };
export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<{ denied?: string }> };

export default async function AccountPage({ searchParams }: Props) {
  const viewer = await requireViewer("/account");
  const { denied } = await searchParams;
  const time = await viewerTime();
  const currency = webConfig().SHOP_CURRENCY;
  const sample = localeSample(viewer.locale, currency);
  return (
    <main id="main">
      <h1>Your account</h1>
      {denied ? (
        <p className="notice warn" role="alert">
          That page is for administrators only.
        </p>
      ) : null}
      <div className="panels">
        <section className="panel" aria-labelledby="profile-title">
          <h2 id="profile-title">Profile</h2>
          <dl className="kv">
              <dt>Name</dt>
              <dd>{viewer.displayName}</dd>
              <dt>Email</dt>
              <dd>{viewer.email}</dd>
              <dt>Account type</dt>
              <dd>
                <span className="badge">{viewer.role}</span>
              </dd>
              <dt>Member since</dt>
              <dd>{time.date(viewer.createdAt)}</dd>
              {viewer.seller ? (
                <>
                  <dt>Shop</dt>
                  <dd>{viewer.seller.shopName}</dd>
                </>
              ) : null}
          </dl>
          <p>
            <Link href="/orders">Your orders</Link>
          </p>
        </section>

        <section className="panel" aria-labelledby="mail-title">
          <h2 id="mail-title">Emails</h2>
          <p className="muted">
            We email {viewer.email} when you place an order, when it is paid or cancelled, and when each parcel ships and arrives
            {viewer.seller ? `; and ${viewer.seller.shopName} hears of each new order to ship` : ""}. Emails are written in English.
          </p>
          <ActionForm action={changeMailLocale} label="Email format">
            <Field
              type="select"
              name="locale"
              label="Prices and dates in emails"
              defaultValue={viewer.locale}
              options={mailLocaleOptions(viewer.locale)}
              hint={`Your emails now write ${sample.money} and ${sample.date}.`}
            />
            <div>
              <SubmitButton pendingLabel="Saving…">Save</SubmitButton>
            </div>
          </ActionForm>
        </section>

        <section className="panel" aria-labelledby="password-title">
          <h2 id="password-title">Change password</h2>
          <ActionForm action={changePassword} label="Change password">
            <Field name="currentPassword" label="Current password" type="password" autoComplete="current-password" required />
            <Field name="newPassword" label="New password" type="password" autoComplete="new-password" required hint="At least 8 characters." />
            <Field name="confirmPassword" label="Repeat the new password" type="password" autoComplete="new-password" required />
            <div>
              <SubmitButton pendingLabel="Changing…">Change password</SubmitButton>
            </div>
          </ActionForm>
        </section>

        <section className="panel" aria-labelledby="sell-title" id="sell">
          <h2 id="sell-title">Sell on Lavka</h2>
          {viewer.seller ? (
            <p>
              You run <strong>{viewer.seller.shopName}</strong>. <Link href="/seller">Go to your seller workspace</Link>.
            </p>
          ) : (
            <>
              <p className="muted">Open a shop to list products and receive orders. You will be asked to sign in again.</p>
              <ActionForm action={becomeSeller} label="Open a shop">
                <Field name="shopName" label="Shop name" required maxLength={80} hint="2–80 characters; buyers see this name." />
                <div>
                  <SubmitButton pendingLabel="Opening your shop…">Open my shop</SubmitButton>
                </div>
              </ActionForm>
            </>
          )}
        </section>
      </div>
    </main>
  );
}
