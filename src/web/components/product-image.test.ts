// What the pages' markup asks browsers to fetch: srcset over every stored copy, sizes from the
// layout, the first card fetched first and the rest lazily, fallbacks for products without photos.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { PhotoView } from "~/core/domain/photos/urls";
import { ProductGrid } from "./product-card";
import { IMAGE_SIZES, ProductImage } from "./product-image";

const digest = "ab".repeat(32);
const photo: PhotoView = { id: "p1", alt: "Teapot", digest, width: 1600, height: 1200, widths: [160, 320, 640, 960, 1280] };

function card(i: number, photos: PhotoView[] = [photo]) {
  return { id: `id-${i}`, title: `Product ${i}`, priceMinor: 1000, currency: "EUR", images: [], photos, seller: { shopName: "Shop" } };
}

const html = (element: Parameters<typeof renderToStaticMarkup>[0]) => renderToStaticMarkup(element);

describe("product images", () => {
  it("offer AVIF and WebP at every stored width, with the layout's sizes", () => {
    const markup = html(createElement(ProductImage, { product: { photos: [photo], images: [] }, sizes: IMAGE_SIZES.main, alt: "Teapot", className: "main-image", priority: true }));
    const widths = [160, 320, 640, 960, 1280];
    expect(markup).toContain(`<source type="image/avif" srcSet="${widths.map((w) => `/photos/${digest}/${w}.avif ${w}w`).join(", ")}" sizes="(max-width: 800px) 100vw, 600px"/>`);
    expect(markup).toContain(`srcSet="${widths.map((w) => `/photos/${digest}/${w}.webp ${w}w`).join(", ")}"`);
    expect(markup).toContain(`src="/photos/${digest}/640.webp"`);
    expect(markup).toMatch(/<img class="main-image"[^>]* alt="Teapot" width="1600" height="1200" loading="eager" fetchPriority="high"/);
  });

  it("in a grid, the first card is fetched first, the first row with the page, the rest when scrolled to", () => {
    const markup = html(createElement(ProductGrid, { products: Array.from({ length: 6 }, (_, i) => card(i)), label: "Products" }));
    const imgs = [...markup.matchAll(/<img [^>]*>/g)].map((m) => m[0]);
    expect(imgs).toHaveLength(6);
    expect(imgs.map((img) => /loading="(\w+)"/.exec(img)?.[1])).toEqual(["eager", "eager", "eager", "eager", "lazy", "lazy"]);
    expect(imgs.map((img) => img.includes('fetchPriority="high"'))).toEqual([true, false, false, false, false, false]);
    expect(imgs.every((img) => img.includes(`sizes="${IMAGE_SIZES.card}"`))).toBe(true);
  });

  it("fall back to the first linked image URL, then to the placeholder", () => {
    expect(html(createElement(ProductImage, { product: { photos: [], images: ["https://cdn.example/a.jpg"] }, sizes: IMAGE_SIZES.card, alt: "" }))).toContain('src="https://cdn.example/a.jpg"');
    const placeholder = html(createElement(ProductImage, { product: { photos: [], images: [] }, sizes: IMAGE_SIZES.card, alt: "" }));
    expect(placeholder).toContain('src="/placeholder.svg"');
    expect(placeholder).not.toContain("srcSet");
  });
});
