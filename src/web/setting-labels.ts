/** What each runtime setting is called and does, in an operator's words (keys are the API's). */
const SETTINGS: Record<string, { label: string; hint: string }> = {
  reservationTtlMinutes: { label: "Reservation hold (minutes)", hint: "How long checkout holds stock for an unpaid order before releasing it." },
  lowStockThreshold: { label: "Low-stock threshold (units)", hint: "At or below this many available units a product shows “only N left”." },
  defaultCurrency: { label: "Default currency", hint: "Currency of new products when the seller names none, such as EUR." },
};

export function aboutSetting(key: string): { label: string; hint: string } {
  return SETTINGS[key] ?? { label: "Setting", hint: "" };
}
