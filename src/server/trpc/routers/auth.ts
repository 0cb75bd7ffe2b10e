import { z } from "zod";
import { singleLineText } from "~/core/text";
import { localeInput } from "~/core/locale";
import { becomeSeller, changePassword, login, logout, me, register, setLocale } from "~/core/domain/auth/account";
import { authedProcedure, publicProcedure, router } from "../init";

const email = z.email().max(254);
// Same bounds as the auth service, so a bad password is caught here with the field named.
// Passwords are taken as typed (no trim), but control characters are refused like anywhere else.
const newPassword = singleLineText({ max: 256, trim: false }).min(8, "must be at least 8 characters");
const anyPassword = singleLineText({ min: 1, max: 256, trim: false });
export const shopName = singleLineText({ min: 2, max: 80 });

export const authRouter = router({
  register: publicProcedure
    .input(z.strictObject({ email, password: newPassword, displayName: singleLineText({ min: 1, max: 100 }), locale: localeInput.optional() }))
    .mutation(({ ctx, input }) => register(ctx, input)),
  login: publicProcedure.input(z.strictObject({ email, password: anyPassword })).mutation(({ ctx, input }) => login(ctx, input)),
  logout: authedProcedure.mutation(({ ctx }) => logout(ctx, ctx.user)),
  changePassword: authedProcedure
    .input(z.strictObject({ currentPassword: anyPassword, newPassword }))
    .mutation(({ ctx, input }) => changePassword(ctx, ctx.user, input)),
  me: authedProcedure.query(({ ctx }) => me(ctx.db, ctx.user)),
  setLocale: authedProcedure.input(z.strictObject({ locale: localeInput })).mutation(({ ctx, input }) => setLocale(ctx.db, ctx.user, input.locale)),
  becomeSeller: authedProcedure.input(z.strictObject({ shopName })).mutation(({ ctx, input }) => becomeSeller(ctx, ctx.user, input)),
});
