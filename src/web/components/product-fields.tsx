import { MAX_PHOTOS_PER_PRODUCT, type PhotoView } from "~/core/domain/photos/urls";
import { Field } from "./form";
import { PhotoPicker } from "./photo-picker";

interface Category {
  slug: string;
  name: string;
  depth: number;
}

/** The product form's fields, shared by "new" and "edit" (inside an ActionForm). */
export function ProductFields({
  categories,
  initial,
  isNew,
  photos = [],
  photoMaxBytes,
}: {
  categories: Category[];
  initial?: { title: string; description: string; price: string; currency: string; category: string; images: string };
  isNew: boolean;
  /** The product's saved photos, in order. */
  photos?: PhotoView[];
  photoMaxBytes: number;
}) {
  return (
    <>
      <Field name="title" label="Title" required maxLength={200} defaultValue={initial?.title} />
      <Field name="description" label="Description" type="textarea" rows={5} maxLength={10_000} defaultValue={initial?.description} />
      <div className="form-row">
        <Field name="price" label="Price" required inputMode="decimal" defaultValue={initial?.price} hint="e.g. 12.50" errorFor={["priceMinor"]} />
        <Field
          name="currency"
          label="Currency"
          type="select"
          defaultValue={initial?.currency ?? "EUR"}
          options={["EUR", "USD", "GBP", "SEK", "PLN", "CHF"].map((c) => ({ value: c, label: c }))}
        />
        <Field
          name="category"
          label="Category"
          type="select"
          defaultValue={initial?.category ?? ""}
          options={[{ value: "", label: "No category" }, ...categories.map((c) => ({ value: c.slug, label: `${c.depth > 0 ? "— " : ""}${c.name}` }))]}
        />
      </div>
      <PhotoPicker initial={photos} maxBytes={photoMaxBytes} maxCount={MAX_PHOTOS_PER_PRODUCT} />
      {/* The older way, kept for images already hosted elsewhere; shown only where there is no photo. */}
      <details className="linked-images" open={Boolean(initial?.images)}>
        <summary>Images hosted on another website</summary>
        <Field name="images" label="Image addresses" type="textarea" rows={3} defaultValue={initial?.images} hint="One https:// address per line. Shown only while the product has no uploaded photos." />
      </details>
      {isNew ? (
        <>
          <div className="form-row">
            <Field name="sku" label="SKU (optional)" maxLength={64} hint="Left empty, one is generated." />
            <Field name="initialStock" label="Units in stock" type="number" min={0} max={1_000_000} defaultValue={0} inputMode="numeric" />
          </div>
          <label className="check">
            <input type="checkbox" name="publish" /> Publish right away (otherwise it is saved as a draft)
          </label>
        </>
      ) : null}
    </>
  );
}
