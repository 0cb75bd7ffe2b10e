-- Hand-written: Prisma's diff does not model functions or triggers.
-- PostgreSQL's text parser reads anything shaped like <...> as an XML tag and drops it, so the
-- 'simple' vector of "Adapter <USB-C> to HDMI" held no "usb-c" and search never found it.
-- Angle brackets now become spaces before parsing, for stored text and search queries alike.

-- Text as the search parser must see it. The catalog query (src/server/domain/catalog/products.ts)
-- passes the search box's text through the same function.
CREATE FUNCTION "products_search_text"(input text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT translate(input, '<>', '  ')
$$;

-- The vector of one product: title weight A, description weight B ('simple': lowercased, no
-- stemming, as before). One definition for the trigger and the backfill below.
CREATE FUNCTION "products_search_document"(title text, description text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT setweight(to_tsvector('simple'::regconfig, "products_search_text"(coalesce(title, ''))), 'A') ||
         setweight(to_tsvector('simple'::regconfig, "products_search_text"(coalesce(description, ''))), 'B')
$$;

CREATE OR REPLACE FUNCTION "products_search_vector_update"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW."searchVector" := "products_search_document"(NEW."title", NEW."description");
  RETURN NEW;
END
$$;

-- Existing rows were stored by the old parse: recompute every one.
UPDATE "Product" SET "searchVector" = "products_search_document"("title", "description");
