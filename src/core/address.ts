import { z } from "zod";
import { singleLineText } from "./text";

/**
 * A shipping address, defined once: what a buyer enters at checkout (the API's input), what an
 * order stores (Order.shippingAddress, JSON) and, without the region, the carrier's recipient
 * (integrations/carrier.ts).
 */
export const shippingAddressSchema = z.strictObject({
  name: singleLineText({ min: 1, max: 200 }),
  line1: singleLineText({ min: 1, max: 200 }),
  line2: singleLineText({ max: 200 }).optional(),
  city: singleLineText({ min: 1, max: 100 }),
  region: singleLineText({ max: 100 }).optional(),
  postalCode: singleLineText({ min: 1, max: 20 }),
  /** ISO 3166-1 alpha-2. */
  country: z.string().regex(/^[A-Z]{2}$/, "must be a 2-letter ISO 3166 country code"),
  phone: singleLineText({ max: 40 }).optional(),
});
export type ShippingAddress = z.infer<typeof shippingAddressSchema>;
