import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { TRPCProvider } from "~/web/trpc/react";
import { api } from "~/web/trpc/server";
import { LiveOrder } from "~/web/components/order-view";
import { viewerTime } from "~/web/viewer-time";
import { isNotFound } from "~/web/forms";
import { requireViewer } from "~/web/viewer";
import { cancelOrderAction } from "../actions";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<{ placed?: string }> };

export const metadata: Metadata = { title: "Order" };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function OrderPage({ params, searchParams }: Props) {
  const { id } = await params;
  const { placed } = await searchParams;
  await requireViewer(`/orders/${id}`);
  if (!UUID.test(id)) notFound();
  let order;
  try {
    order = await (await api()).orders.get.query({ orderId: id });
  } catch (error) {
    if (isNotFound(error)) notFound();
    throw error;
  }
  return (
    <main id="main">
      <div className="page-head">
        <h1>Order #{order.number}</h1>
        <Link href="/orders">All orders</Link>
      </div>
      {placed ? (
        <p className="notice ok" role="status">
          Thank you! Your order is placed. This page follows it through payment and shipping by itself.
        </p>
      ) : null}
      <TRPCProvider>
        <LiveOrder initial={order} time={(await viewerTime()).format} cancelAction={cancelOrderAction} />
      </TRPCProvider>
    </main>
  );
}
