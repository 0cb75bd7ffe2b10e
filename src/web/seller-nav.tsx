import { SubNav } from "./components/states";

const ITEMS = [
  { href: "/seller", label: "Dashboard" },
  { href: "/seller/products", label: "Products" },
  { href: "/seller/orders", label: "Orders to fulfil" },
  { href: "/seller/forecast", label: "Forecast" },
  { href: "/seller/reports", label: "Reports" },
];

export function SellerNav({ current }: { current: string }) {
  return <SubNav items={ITEMS} current={current} />;
}
