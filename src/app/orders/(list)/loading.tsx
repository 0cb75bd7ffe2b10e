import { PageSkeleton } from "~/web/components/states";

export default function Loading() {
  return <PageSkeleton title="Your orders" />;
}
