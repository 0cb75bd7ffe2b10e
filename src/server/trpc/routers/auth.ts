import { z } from "zod";
import { becomeSeller, changePassword, login, logout, me, register } from "~/server/domain/auth/account";
import { authedProcedure, publicProcedure, router } from "../init";

const email = z.email().max(254);
// Same bounds as the auth service, so a bad password is caught here with the field named.
const newPassword = z.string().min(8, "must be at least 8 characters").max(256);
const anyPassword = z.string().min(1).max(256);
export const shopName = z.string().trim().min(2).max(80);

export const authRouter = router({
  register: publicProcedure
    .input(z.strictObject({ email, password: newPassword, displayName: z.string().trim().min(1).max(100) }))
    .mutation(({ ctx, input }) => register(ctx, input)),
  login: publicProcedure.input(z.strictObject({ email, password: anyPassword })).mutation(({ ctx, input }) => login(ctx, input)),
  logout: authedProcedure.mutation(({ ctx }) => logout(ctx, ctx.user)),
  changePassword: authedProcedure
    .input(z.strictObject({ currentPassword: anyPassword, newPassword }))
    .mutation(({ ctx, input }) => changePassword(ctx, ctx.user, input)),
  me: authedProcedure.query(({ ctx }) => me(ctx.db, ctx.user)),
  becomeSeller: authedProcedure.input(z.strictObject({ shopName })).mutation(({ ctx, input }) => becomeSeller(ctx, ctx.user, input)),
});
