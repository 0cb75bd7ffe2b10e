import { SubNav } from "./components/states";

const ITEMS = [
  { href: "/admin", label: "Overview" },
  { href: "/admin/jobs", label: "Jobs" },
  { href: "/admin/dead-letters", label: "Dead letters" },
  { href: "/admin/health", label: "Health" },
  { href: "/admin/config", label: "Configuration" },
  { href: "/admin/settings", label: "Settings" },
  { href: "/admin/users", label: "Users" },
];

export function AdminNav({ current }: { current: string }) {
  return <SubNav items={ITEMS} current={current} />;
}
