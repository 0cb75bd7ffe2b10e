// Deterministic generator of realistic sales history: categories, sellers, products, buyers,
// orders with lines, payments and status history. Plain SQL through `pg` (multi-row
// INSERT ... SELECT FROM unnest($arrays)) so it runs the same against PostgreSQL and against
// PGlite served by pglite-socket. One currency: EUR, every amount in cents.
import pg from "pg";

export const SEED_CURRENCY = "EUR";

export interface SeedOptions {
  sellers: number;
  products: number;
  orders: number;
  /** Length of the history, ending at `end`. */
  days: number;
  seed: number;
  /** End of the history (exclusive); defaults to the start of the current UTC hour. Pin it for identical output. */
  end?: Date;
  /** Wipe users, catalog, orders and the processor's tables first. */
  reset?: boolean;
  /** Ids/emails the auth service assigned to the demo accounts, when the launcher knows them. */
  demoUsers?: Partial<Record<DemoRole, { id?: string; email?: string; displayName?: string }>>;
  /** Orders per INSERT batch. */
  batchSize?: number;
  /** Orders written so far of the orders to write: before the first batch and after each. */
  onProgress?: (ordersDone: number, ordersTotal: number) => void;
}

export type DemoRole = "buyer" | "seller" | "admin";

export interface DemoUser {
  role: DemoRole;
  id: string;
  email: string;
  displayName: string;
  sellerId?: string;
}

export interface SeedSummary {
  seed: number;
  currency: string;
  from: string;
  to: string;
  counts: Record<string, number>;
  rows: number;
  durationMs: number;
  rowsPerSecond: number;
  demoUsers: DemoUser[];
}

export const DEFAULT_SEED_OPTIONS: SeedOptions = { sellers: 8, products: 120, orders: 3000, days: 120, seed: 42 };

// ---------------------------------------------------------------------------------------------
// 1. Seeded randomness (sfc32 seeded through splitmix32): same seed, same data, on any machine.

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  next(): number {
    return this.u32() / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  uuid(): string {
    const h = (n: number) => n.toString(16).padStart(8, "0");
    const a = h(this.u32());
    const b = h(this.u32());
    const c = h(this.u32());
    const d = h(this.u32());
    // Version 4, RFC 4122 variant, so the ids look like any other uuid.
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${((parseInt(c[0]!, 16) & 3) | 8).toString(16)}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  }
  /**
   * Time-ordered uuid (version 7: milliseconds first). Rows of a large history then land at the
   * right edge of the primary-key and foreign-key indexes instead of at random pages, which keeps
   * seeding a million orders fast once the indexes outgrow memory.
   */
  uuid7(ms: number): string {
    const t = Math.max(0, Math.floor(ms)).toString(16).padStart(12, "0").slice(-12);
    const b = this.u32().toString(16).padStart(8, "0");
    const c = this.u32().toString(16).padStart(8, "0");
    const d = this.u32().toString(16).padStart(8, "0");
    return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${b.slice(0, 3)}-${((parseInt(b[3]!, 16) & 3) | 8).toString(16)}${b.slice(4, 7)}-${c}${d.slice(0, 4)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// 2. The shape of demand: categories with their own seasons, weekly and daily rhythm, promotions.

interface TopCategory {
  slug: string;
  name: string;
  /** Leaf categories: slug, name, and what is sold there (product titles are built from these). */
  children: [string, string, string[]][];
  basePriceCents: number;
  /** Day of year of the seasonal peak and its strength (0 = flat). */
  peakDay: number;
  amplitude: number;
}

const CATEGORIES: TopCategory[] = [
  { slug: "electronics", name: "Electronics", children: [["phones-accessories", "Phone accessories", ["Charger", "Power Bank", "Phone Case", "USB-C Cable"]], ["audio", "Audio", ["Earbuds", "Speaker", "Headphones"]], ["computer-accessories", "Computer accessories", ["Keyboard", "Mouse", "USB-C Hub", "Webcam"]], ["smart-home", "Smart home", ["Smart Plug", "Smart Bulb", "Motion Sensor"]]], basePriceCents: 4500, peakDay: 340, amplitude: 0.35 },
  { slug: "home-kitchen", name: "Home & Kitchen", children: [["kitchen", "Kitchen", ["Chef Knife", "Frying Pan", "Cutting Board", "Coffee Grinder"]], ["decor", "Decor", ["Vase", "Candle", "Picture Frame"]], ["bedding", "Bedding", ["Duvet Cover", "Pillow", "Throw Blanket"]], ["lighting", "Lighting", ["Table Lamp", "Floor Lamp", "String Lights"]]], basePriceCents: 2500, peakDay: 330, amplitude: 0.15 },
  { slug: "garden-outdoor", name: "Garden & Outdoor", children: [["garden-tools", "Garden tools", ["Pruning Shears", "Watering Can", "Hose Reel", "Trowel"]], ["plants-seeds", "Plants & seeds", ["Seed Kit", "Planter", "Herb Garden"]], ["outdoor-furniture", "Outdoor furniture", ["Garden Chair", "Bird Feeder", "Hammock"]]], basePriceCents: 2200, peakDay: 140, amplitude: 0.6 },
  { slug: "fashion", name: "Fashion", children: [["womens-clothing", "Women's clothing", ["Linen Dress", "Knit Sweater", "Rain Jacket"]], ["mens-clothing", "Men's clothing", ["Linen Shirt", "Wool Coat", "Chinos"]], ["shoes", "Shoes", ["Sneakers", "Leather Boots", "Sandals"]], ["accessories", "Accessories", ["Wool Scarf", "Leather Belt", "Tote Bag", "Cap"]]], basePriceCents: 3500, peakDay: 300, amplitude: 0.2 },
  { slug: "toys-games", name: "Toys & Games", children: [["toys", "Toys", ["Building Blocks", "Plush Bear", "Wooden Train", "Kite"]], ["board-games", "Board games", ["Board Game", "Card Game"]], ["puzzles", "Puzzles", ["Jigsaw Puzzle", "Puzzle Cube"]]], basePriceCents: 2000, peakDay: 350, amplitude: 0.7 },
  { slug: "sports", name: "Sports", children: [["fitness", "Fitness", ["Yoga Mat", "Dumbbell Set", "Resistance Bands"]], ["cycling", "Cycling", ["Bike Light", "Water Bottle", "Bike Lock"]], ["camping", "Camping", ["Tent", "Sleeping Bag", "Camping Stove"]]], basePriceCents: 3000, peakDay: 160, amplitude: 0.3 },
  { slug: "beauty", name: "Beauty", children: [["skincare", "Skincare", ["Face Cream", "Serum", "Lip Balm", "Hand Cream"]], ["fragrance", "Fragrance", ["Eau de Parfum", "Shower Gel", "Scented Candle"]]], basePriceCents: 1800, peakDay: 345, amplitude: 0.3 },
  { slug: "books-stationery", name: "Books & Stationery", children: [["books", "Books", ["Cookbook", "Novel", "Travel Guide"]], ["stationery", "Stationery", ["Notebook", "Fountain Pen", "Planner", "Sketchbook", "Pencil Set"]]], basePriceCents: 1500, peakDay: 250, amplitude: 0.25 },
];

const ADJECTIVES = ["Classic", "Compact", "Eco", "Premium", "Everyday", "Nordic", "Vintage", "Pro", "Soft", "Bold", "Handmade", "Travel", "Mini", "Urban", "Organic", "Smart"];
const SHOP_WORDS = ["Atelier", "Corner", "Works", "House", "Market", "Studio", "Goods", "Supply", "Lab", "Depot"];
const SHOP_NAMES = ["Birch", "Harbor", "Lumen", "Mosaic", "Oak", "Pebble", "Quill", "Saffron", "Tundra", "Willow", "Amber", "Cobalt", "Fjord", "Juniper", "Maple", "Nimbus"];
const FIRST = ["Anna", "Ben", "Clara", "David", "Elena", "Felix", "Greta", "Hugo", "Ines", "Jonas", "Katja", "Lukas", "Mila", "Noah", "Olga", "Paul", "Rosa", "Sven", "Tara", "Yusuf"];
const LAST = ["Berg", "Costa", "Dubois", "Fischer", "García", "Horvat", "Jansen", "Kowalski", "Larsen", "Moreau", "Novak", "Rossi", "Schmidt", "Virtanen", "Weber"];
const CITIES: [string, string, string][] = [["Berlin", "10115", "DE"], ["Paris", "75001", "FR"], ["Madrid", "28001", "ES"], ["Rome", "00118", "IT"], ["Amsterdam", "1011", "NL"], ["Vienna", "1010", "AT"], ["Lisbon", "1100", "PT"], ["Helsinki", "00100", "FI"], ["Dublin", "D01", "IE"], ["Tallinn", "10111", "EE"]];

// Sunday first, as Date.getUTCDay(): weekend evenings shop most.
const WEEKDAY = [1.2, 1.1, 1.0, 0.97, 0.94, 0.86, 0.93];
const HOUR_OF_DAY = [0.25, 0.15, 0.1, 0.08, 0.08, 0.12, 0.3, 0.55, 0.8, 0.95, 1.0, 1.05, 1.1, 1.05, 1.0, 1.0, 1.05, 1.15, 1.35, 1.55, 1.6, 1.4, 1.0, 0.55];
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

function dayOfYear(t: number): number {
  const d = new Date(t);
  return Math.floor((t - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY_MS);
}

/** Black Friday (the Friday after the fourth Thursday of November) of the year containing t. */
function blackFriday(year: number): number {
  const nov1 = Date.UTC(year, 10, 1);
  const firstThursday = 1 + ((4 - new Date(nov1).getUTCDay() + 7) % 7);
  return Date.UTC(year, 10, firstThursday + 22);
}

/** Seasonal demand multiplier of a category on day t: a yearly wave plus the Christmas rush. */
function seasonality(cat: TopCategory, t: number): number {
  const doy = dayOfYear(t);
  const wave = 1 + cat.amplitude * Math.cos((2 * Math.PI * (doy - cat.peakDay)) / 365);
  const d = new Date(t);
  const month = d.getUTCMonth();
  const date = d.getUTCDate();
  let events = 1;
  if (month === 11 && date >= 1 && date <= 21) events *= 1.25;
  if (month === 11 && date >= 24 && date <= 26) events *= 0.55;
  if (month === 0 && date <= 10) events *= 1.15; // January sales
  const bf = blackFriday(d.getUTCFullYear());
  if (t >= bf - DAY_MS && t < bf + 4 * DAY_MS) events *= 1.9; // Black Friday to Cyber Monday
  return wave * events;
}

interface Promotion {
  start: number;
  end: number;
  categories: Set<number>;
  /** Price reduction in percent; demand uplift follows it. */
  discount: number;
}

/** Every four to six weeks two categories get a three-day sale; Black Friday discounts everything. */
function promotionCalendar(rng: Rng, from: number, to: number): Promotion[] {
  const promos: Promotion[] = [];
  for (let t = from + (10 + rng.int(20)) * DAY_MS; t < to; t += (28 + rng.int(14)) * DAY_MS) {
    promos.push({ start: t, end: t + 3 * DAY_MS, categories: new Set([rng.int(CATEGORIES.length), rng.int(CATEGORIES.length)]), discount: 15 + 5 * rng.int(3) });
  }
  for (let y = new Date(from).getUTCFullYear(); y <= new Date(to).getUTCFullYear(); y++) {
    const bf = blackFriday(y);
    if (bf < to && bf + 4 * DAY_MS > from) promos.push({ start: bf, end: bf + 4 * DAY_MS, categories: new Set(CATEGORIES.map((_, i) => i)), discount: 15 });
  }
  return promos;
}

// ---------------------------------------------------------------------------------------------
// 3. Batched inserts: one parameter per column, `unnest` turns the arrays into rows.

type Column = [name: string, pgType: string];

async function insertRows(client: pg.ClientBase, table: string, columns: Column[], data: unknown[][]): Promise<number> {
  const n = data[0]?.length ?? 0;
  if (n === 0) return 0;
  const names = columns.map(([c]) => `"${c}"`).join(", ");
  const params = columns.map(([, t], i) => `$${i + 1}::${t}[]`).join(", ");
  await client.query(`INSERT INTO "${table}" (${names}) SELECT * FROM unnest(${params})`, data);
  return n;
}

// ---------------------------------------------------------------------------------------------
// 4. The generator.

interface ProductRow {
  id: string;
  sellerIdx: number;
  top: number;
  leafId: string;
  sku: string;
  title: string;
  price: number;
  status: "active" | "archived" | "draft";
  createdAt: number;
  /** When an archived product stopped selling. */
  stoppedAt: number;
  popularity: number;
  /** Relative change of demand per year. */
  trend: number;
}

const COUNTED_WEEKS_TO_DELIVER = 5 * DAY_MS;

export async function seedDatabase(target: string | pg.ClientBase, partial: Partial<SeedOptions> = {}): Promise<SeedSummary> {
  const options: SeedOptions = { ...DEFAULT_SEED_OPTIONS, ...partial };
  const { sellers: sellerCount, products: productCount, orders: orderCount, days, seed } = options;
  if (sellerCount < 1 || productCount < sellerCount || orderCount < 0 || days < 1) {
    throw new Error("seed: need sellers >= 1, products >= sellers, orders >= 0, days >= 1");
  }
  const batchSize = options.batchSize ?? 5000;
  const started = performance.now();
  const end = options.end ? options.end.getTime() : Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  const from = Math.floor((end - days * DAY_MS) / DAY_MS) * DAY_MS;
  const rng = new Rng(seed);
  const iso = (t: number) => new Date(t).toISOString();

  const owned = typeof target === "string";
  const client: pg.ClientBase = owned ? new pg.Client({ connectionString: target }) : target;
  if (owned) await (client as pg.Client).connect();
  const counts: Record<string, number> = {};
  const add = (table: string, n: number) => {
    counts[table] = (counts[table] ?? 0) + n;
  };
  try {
    await client.query("BEGIN");
    if (options.reset) {
      await client.query(
        `TRUNCATE "User", "Category", "SalesHourly", "SalesRollup", "JobWatermark", "CustomerCohort", "CustomerRfm", "ForecastBacktest", "Report" CASCADE`,
      );
    } else {
      const existing = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM "Seller"`);
      if (Number(existing.rows[0]?.n ?? 0) > 0) throw new Error("seed: the database already has sellers; pass --reset to replace its data");
    }

    // Demo accounts first, with ids the launcher may have taken from the auth service.
    const demo = (role: DemoRole, email: string, displayName: string): DemoUser => ({
      role,
      id: options.demoUsers?.[role]?.id ?? rng.uuid(),
      email: options.demoUsers?.[role]?.email ?? email,
      displayName: options.demoUsers?.[role]?.displayName ?? displayName,
    });
    const demoBuyer = demo("buyer", "buyer@lavka.test", "Demo Buyer");
    const demoSeller = demo("seller", "seller@lavka.test", "Demo Seller");
    const demoAdmin = demo("admin", "admin@lavka.test", "Demo Admin");

    // Categories.
    const catIds: string[] = [];
    const leafIds: string[][] = [];
    const cat: unknown[][] = [[], [], [], []];
    for (const top of CATEGORIES) {
      const id = rng.uuid();
      catIds.push(id);
      pushBuffered(cat, [id, top.slug, top.name, null]);
      const leaves: string[] = [];
      for (const [slug, name] of top.children) {
        const leaf = rng.uuid();
        leaves.push(leaf);
        pushBuffered(cat, [leaf, slug, name, id]);
      }
      leafIds.push(leaves);
    }
    add("Category", await insertRows(client, "Category", [["id", "uuid"], ["slug", "text"], ["name", "text"], ["parentId", "uuid"]], cat));

    // Sellers: seller 0 is the demo seller. Each focuses on one or two top categories.
    const sellerIds: string[] = [];
    const sellerUsers: string[] = [];
    const sellerFocus: number[][] = [];
    const users: unknown[][] = [[], [], [], [], [], []];
    const pushUser = (id: string, email: string, name: string, role: DemoRole, at: number) => {
      pushBuffered(users, [id, email, name, role, iso(at), iso(at)]);
    };
    pushUser(demoAdmin.id, demoAdmin.email, demoAdmin.displayName, "admin", from - 400 * DAY_MS);
    const sellerRows: unknown[][] = [[], [], [], []];
    for (let s = 0; s < sellerCount; s++) {
      const userId = s === 0 ? demoSeller.id : rng.uuid();
      const shop = s === 0 ? "Lavka Demo Shop" : `${rng.pick(SHOP_NAMES)} ${rng.pick(SHOP_WORDS)} ${s}`;
      const at = from - (30 + rng.int(700)) * DAY_MS;
      if (s === 0) pushUser(userId, demoSeller.email, demoSeller.displayName, "seller", at);
      else pushUser(userId, `seller${s}@sellers.lavka.test`, `${shop} owner`, "seller", at);
      const id = rng.uuid();
      sellerIds.push(id);
      sellerUsers.push(userId);
      const focus = [rng.int(CATEGORIES.length)];
      if (rng.next() < 0.5) focus.push(rng.int(CATEGORIES.length));
      sellerFocus.push(focus);
      pushBuffered(sellerRows, [id, userId, shop, iso(at)]);
    }
    demoSeller.sellerId = sellerIds[0];
    const userColumns: Column[] = [["id", "text"], ["email", "text"], ["displayName", "text"], ["role", '"Role"'], ["createdAt", "timestamptz"], ["updatedAt", "timestamptz"]];
    add("User", await insertRows(client, "User", userColumns, users));
    add("Seller", await insertRows(client, "Seller", [["id", "uuid"], ["userId", "text"], ["shopName", "text"], ["createdAt", "timestamptz"]], sellerRows));

    // Products: sellers get Zipf-like catalog sizes; popularity is Zipf over a shuffled rank.
    const products: ProductRow[] = [];
    const sellerWeight = Array.from({ length: sellerCount }, (_, i) => 1 / Math.pow(i + 1, 0.7));
    const sellerCum = cumulative(sellerWeight);
    const ranks = Array.from({ length: productCount }, (_, i) => i + 1);
    for (let i = ranks.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [ranks[i], ranks[j]] = [ranks[j]!, ranks[i]!];
    }
    for (let p = 0; p < productCount; p++) {
      // Every seller gets at least one product; the rest follow the seller weights.
      const sellerIdx = p < sellerCount ? p : sample(sellerCum, rng.next());
      const top = rng.next() < 0.8 ? rng.pick(sellerFocus[sellerIdx]!) : rng.int(CATEGORIES.length);
      const c = CATEGORIES[top]!;
      // Never free (sellers cannot save a price of 0, src/core/money.ts): 1.99 at least.
      const price = Math.max(199, Math.round((c.basePriceCents * Math.exp(0.6 * rng.normal())) / 100) * 100 - 1);
      const launchedLate = rng.next() < 0.25;
      const createdAt = launchedLate ? from + rng.int(days) * DAY_MS + rng.int(24) * HOUR_MS : from - (1 + rng.int(365)) * DAY_MS;
      const u = rng.next();
      const status = u < 0.02 ? "draft" : u < 0.05 ? "archived" : "active";
      const stoppedAt = status === "archived" ? Math.max(createdAt, from) + rng.next() * (end - Math.max(createdAt, from)) : end;
      // Drawn in the order they always were, so the random stream (and the demand it shapes) is unchanged.
      const id = rng.uuid();
      const leaf = rng.int(c.children.length);
      products.push({
        id,
        sellerIdx,
        top,
        leafId: leafIds[top]![leaf]!,
        sku: `SKU-${String(sellerIdx).padStart(3, "0")}-${String(p).padStart(6, "0")}`,
        title: `${rng.pick(ADJECTIVES)} ${rng.pick(c.children[leaf]![2])}${rng.next() < 0.4 ? ` ${String.fromCharCode(65 + rng.int(26))}${1 + rng.int(9)}` : ""}`,
        price,
        status,
        createdAt,
        stoppedAt,
        popularity: 1 / Math.pow(ranks[p]!, 1.0),
        trend: Math.max(-0.6, Math.min(1.2, 0.1 + 0.35 * rng.normal())),
      });
    }
    {
      const cols: Column[] = [["id", "uuid"], ["sellerId", "uuid"], ["categoryId", "uuid"], ["sku", "text"], ["title", "text"], ["description", "text"], ["priceMinor", "int8"], ["currency", "bpchar"], ["status", '"ProductStatus"'], ["publishedAt", "timestamptz"], ["createdAt", "timestamptz"], ["updatedAt", "timestamptz"]];
      for (let i = 0; i < products.length; i += 10_000) {
        const chunk = products.slice(i, i + 10_000);
        const data: unknown[][] = cols.map(() => []);
        for (const p of chunk) {
          const row = [p.id, sellerIds[p.sellerIdx], p.leafId, p.sku, p.title, `${p.title} from ${CATEGORIES[p.top]!.name.toLowerCase()}, sold by a Lavka seller.`, p.price, SEED_CURRENCY, p.status, p.status === "draft" ? null : iso(p.createdAt), iso(p.createdAt), iso(p.status === "archived" ? p.stoppedAt : p.createdAt)];
          row.forEach((v, k) => data[k]!.push(v));
        }
        add("Product", await insertRows(client, "Product", cols, data));
      }
    }

    // The generated rows reference each other correctly by construction, so per-row foreign-key
    // checks are skipped where the role allows it (superuser: local PostgreSQL, PGlite); the
    // savepoint keeps the transaction usable where it does not.
    await client.query("SAVEPOINT fk_checks");
    try {
      await client.query("SET LOCAL session_replication_role = replica");
      await client.query("RELEASE SAVEPOINT fk_checks");
    } catch {
      await client.query("ROLLBACK TO SAVEPOINT fk_checks");
    }

    // Orders, day by day: platform demand x weekday x season x trend x noise.
    const promos = promotionCalendar(rng, from, end);
    const promoOn = (t: number) => promos.filter((p) => t >= p.start && t < p.end);
    const dayCount = Math.round((end - from) / DAY_MS);
    const dayWeight: number[] = [];
    for (let d = 0; d < dayCount; d++) {
      const t = from + d * DAY_MS;
      const season = CATEGORIES.reduce((s, c) => s + seasonality(c, t), 0) / CATEGORIES.length;
      const promo = promoOn(t).reduce((s, p) => s + (0.6 * p.categories.size) / CATEGORIES.length, 0);
      const trend = 1 + (0.35 * d) / 365;
      // The last day may be partial: weight it by the hours it has.
      const hours = Math.min(24, (end - t) / HOUR_MS);
      const hourShare = HOUR_OF_DAY.slice(0, Math.ceil(hours)).reduce((a, b) => a + b, 0) / HOUR_OF_DAY.reduce((a, b) => a + b, 0);
      dayWeight.push(WEEKDAY[new Date(t).getUTCDay()]! * season * (1 + promo) * trend * Math.exp(0.07 * rng.normal()) * hourShare);
    }
    const totalWeight = dayWeight.reduce((a, b) => a + b, 0);

    const orderBuyer = new Int32Array(orderCount);
    const buyerOrders: number[] = [];
    const buyerIds: string[] = [];
    const buyerCity: number[] = [];
    const buyerNames: string[] = [];
    const newBuyer = (at: number, isDemo = false) => {
      const idx = buyerIds.length;
      const name = isDemo ? demoBuyer.displayName : `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
      const id = isDemo ? demoBuyer.id : rng.uuid();
      buyerIds.push(id);
      buyerOrders.push(0);
      buyerCity.push(rng.int(CITIES.length));
      buyerNames.push(name);
      pushBuffered(batchUsers, [id, isDemo ? demoBuyer.email : `buyer${idx}@buyers.lavka.test`, name, "buyer", iso(at - rng.int(30) * DAY_MS - HOUR_MS), iso(at - HOUR_MS)]);
      return idx;
    };
    const batchUsers: unknown[][] = userColumns.map(() => []);
    const orderColumns: Column[] = [["id", "uuid"], ["buyerId", "text"], ["status", '"OrderStatus"'], ["currency", "bpchar"], ["subtotalMinor", "int8"], ["shippingMinor", "int8"], ["totalMinor", "int8"], ["idempotencyKey", "text"], ["shippingAddress", "jsonb"], ["cancelReason", "text"], ["placedAt", "timestamptz"], ["paidAt", "timestamptz"], ["cancelledAt", "timestamptz"], ["updatedAt", "timestamptz"]];
    const lineColumns: Column[] = [["id", "uuid"], ["orderId", "uuid"], ["productId", "uuid"], ["sellerId", "uuid"], ["sku", "text"], ["title", "text"], ["unitPriceMinor", "int8"], ["currency", "bpchar"], ["quantity", "int4"], ["lineTotalMinor", "int8"]];
    const paymentColumns: Column[] = [["id", "uuid"], ["orderId", "uuid"], ["gateway", "text"], ["gatewayRef", "text"], ["idempotencyKey", "text"], ["status", '"PaymentStatus"'], ["amountMinor", "int8"], ["currency", "bpchar"], ["failureReason", "text"], ["createdAt", "timestamptz"], ["updatedAt", "timestamptz"]];
    const changeColumns: Column[] = [["id", "uuid"], ["orderId", "uuid"], ["fromStatus", '"OrderStatus"'], ["toStatus", '"OrderStatus"'], ["reason", "text"], ["at", "timestamptz"]];
    let batchOrders: unknown[][] = orderColumns.map(() => []);
    let batchLines: unknown[][] = lineColumns.map(() => []);
    let batchPayments: unknown[][] = paymentColumns.map(() => []);
    let batchChanges: unknown[][] = changeColumns.map(() => []);
    const flush = async () => {
      add("User", await insertRows(client, "User", userColumns, batchUsers));
      add("Order", await insertRows(client, "Order", orderColumns, batchOrders));
      add("OrderLine", await insertRows(client, "OrderLine", lineColumns, batchLines));
      add("Payment", await insertRows(client, "Payment", paymentColumns, batchPayments));
      add("OrderStatusChange", await insertRows(client, "OrderStatusChange", changeColumns, batchChanges));
      for (const b of batchUsers) b.length = 0;
      batchOrders = orderColumns.map(() => []);
      batchLines = lineColumns.map(() => []);
      batchPayments = paymentColumns.map(() => []);
      batchChanges = changeColumns.map(() => []);
    };

    const hourCum = cumulative(HOUR_OF_DAY);
    const productCum = new Float64Array(productCount);
    let orderIdx = 0;
    let assigned = 0;
    let cumulativeWeight = 0;
    for (let d = 0; d < dayCount && orderIdx < orderCount; d++) {
      const dayStart = from + d * DAY_MS;
      cumulativeWeight += dayWeight[d]!;
      // Cumulative rounding: per-day counts always add up to exactly `orders`.
      const target = d === dayCount - 1 ? orderCount : Math.round((orderCount * cumulativeWeight) / totalWeight);
      const todays = target - assigned;
      assigned = target;
      if (todays <= 0) continue;
      const promosToday = promoOn(dayStart);
      const seasons = CATEGORIES.map((c) => seasonality(c, dayStart));
      const discountOf = (top: number) => promosToday.reduce((m, p) => (p.categories.has(top) ? Math.max(m, p.discount) : m), 0);
      const discounts = CATEGORIES.map((_, i) => discountOf(i));
      let acc = 0;
      for (let p = 0; p < productCount; p++) {
        const pr = products[p]!;
        const alive = pr.status !== "draft" && pr.createdAt <= dayStart && pr.stoppedAt > dayStart;
        const years = (dayStart - from) / (365 * DAY_MS);
        const w = alive ? pr.popularity * Math.max(0.05, 1 + pr.trend * years) * seasons[pr.top]! * (1 + discounts[pr.top]! / 12) : 0;
        acc += w;
        productCum[p] = acc;
      }
      if (acc === 0) continue;
      const times: number[] = [];
      const lastHour = Math.min(24, Math.ceil((end - dayStart) / HOUR_MS));
      for (let k = 0; k < todays; k++) {
        let h = sample(hourCum, rng.next());
        if (h >= lastHour) h = rng.int(lastHour);
        times.push(dayStart + h * HOUR_MS + rng.int(HOUR_MS));
      }
      times.sort((a, b) => a - b);
      for (const placedAt of times) {
        if (orderIdx >= orderCount) break;
        // New buyers are common early and settle near a third; returning buyers are drawn by
        // picking a random earlier order (preferential attachment: power-law repeat counts).
        let buyer = -1;
        const pNew = 0.32 + 0.68 * Math.exp(-orderIdx / Math.max(1, orderCount * 0.04));
        if (orderIdx === 0) buyer = newBuyer(placedAt, true);
        else if (rng.next() >= pNew) {
          for (let tries = 0; tries < 3 && buyer < 0; tries++) {
            const candidate = orderBuyer[rng.int(orderIdx)]!;
            if (buyerOrders[candidate]! < 40) buyer = candidate;
          }
        }
        if (buyer < 0) buyer = newBuyer(placedAt);
        orderBuyer[orderIdx] = buyer;
        buyerOrders[buyer]!++;

        const orderId = rng.uuid7(placedAt);
        const nLines = Math.min(productCount, 1 + (rng.next() < 0.33 ? 1 + (rng.next() < 0.3 ? 1 + (rng.next() < 0.3 ? 1 : 0) : 0) : 0));
        const chosen = new Set<number>();
        let subtotal = 0;
        for (let l = 0; l < nLines * 3 && chosen.size < nLines; l++) {
          const p = sample(productCum, rng.next() * acc);
          if (chosen.has(p)) continue;
          chosen.add(p);
          const pr = products[p]!;
          const unit = discounts[pr.top]! > 0 ? Math.round((pr.price * (100 - discounts[pr.top]!)) / 100) : pr.price;
          const q = rng.next();
          const quantity = q < 0.82 ? 1 : q < 0.95 ? 2 : 3 + rng.int(3);
          subtotal += unit * quantity;
          pushBuffered(batchLines, [rng.uuid7(placedAt), orderId, pr.id, sellerIds[pr.sellerIdx], pr.sku, pr.title, unit, SEED_CURRENCY, quantity, unit * quantity]);
        }
        const shipping = subtotal >= 5000 ? 0 : 490;
        const total = subtotal + shipping;

        // Lifecycle by age: paid within minutes, then fulfilling, shipped, delivered; ~4% cancelled.
        const age = end - placedAt;
        const u = rng.next();
        const paidAt = placedAt + 30_000 + rng.int(600_000);
        let status: string;
        let cancelledAt: number | null = null;
        let cancelReason: string | null = null;
        const changes: [string | null, string, number, string | null][] = [[null, "pending_payment", placedAt, null]];
        let paid = paidAt < end;
        if (u < 0.015 && placedAt + 900_000 < end) {
          paid = false;
          cancelledAt = placedAt + 900_000;
          cancelReason = "payment_failed";
        } else if (u < 0.045) {
          const at = paidAt + rng.int(2 * DAY_MS);
          if (at < end && paid) {
            cancelledAt = at;
            cancelReason = rng.pick(["changed_mind", "found_cheaper", "delivery_too_slow"]);
          }
        }
        if (paid) changes.push(["pending_payment", "paid", paidAt, null]);
        if (cancelledAt !== null) {
          changes.push([changes[changes.length - 1]![1], "cancelled", cancelledAt, cancelReason]);
          status = "cancelled";
        } else if (!paid) {
          status = "pending_payment";
        } else {
          status = "paid";
          const steps: [string, number][] = [["fulfilling", 0.6 * DAY_MS], ["shipped", 1.8 * DAY_MS], ["delivered", COUNTED_WEEKS_TO_DELIVER]];
          for (const [next, after] of steps) {
            const at = paidAt + after + rng.int(HOUR_MS * 12);
            if (at >= end || at - placedAt > age) break;
            changes.push([status, next, at, null]);
            status = next;
          }
        }
        const updatedAt = changes[changes.length - 1]![2];
        const [city, postal, country] = CITIES[buyerCity[buyer]!]!;
        pushBuffered(batchOrders, [orderId, buyerIds[buyer], status, SEED_CURRENCY, subtotal, shipping, total, `seed-${seed}-${orderIdx}`, JSON.stringify({ name: buyerNames[buyer], line1: `${1 + (buyer % 180)} Market Street`, city, postalCode: postal, country }), cancelReason, iso(placedAt), paid ? iso(paidAt) : null, cancelledAt === null ? null : iso(cancelledAt), iso(updatedAt)]);
        for (const [f, t, at, reason] of changes) pushBuffered(batchChanges, [rng.uuid7(at), orderId, f, t, reason, iso(at)]);
        const paymentStatus = cancelReason === "payment_failed" ? "failed" : status === "pending_payment" ? "pending" : status === "cancelled" ? "refunded" : "captured";
        pushBuffered(batchPayments, [rng.uuid7(placedAt), orderId, "mockpay", paymentStatus === "pending" ? null : `mp_${orderId.slice(0, 8)}${orderIdx}`, `seed-${seed}-pay-${orderIdx}`, paymentStatus, total, SEED_CURRENCY, paymentStatus === "failed" ? "card_declined" : null, iso(placedAt + 5_000), iso(Math.min(updatedAt, end))]);
        orderIdx++;
        if ((batchOrders[0] as unknown[]).length >= batchSize) {
          await flush();
          options.onProgress?.(orderIdx, orderCount);
        }
      }
    }
    await flush();
    options.onProgress?.(orderIdx, orderCount);
    await client.query("SET LOCAL session_replication_role = origin");
    await client.query("COMMIT");
    // Fresh statistics, so the first aggregation does not plan against empty-table estimates.
    await client.query("ANALYZE");
    const durationMs = Math.round(performance.now() - started);
    const rows = Object.values(counts).reduce((a, b) => a + b, 0);
    return {
      seed,
      currency: SEED_CURRENCY,
      from: iso(from),
      to: iso(end),
      counts,
      rows,
      durationMs,
      rowsPerSecond: Math.round(rows / Math.max(0.001, durationMs / 1000)),
      demoUsers: [demoBuyer, demoSeller, demoAdmin],
    };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    if (owned) await (client as pg.Client).end();
  }
}

function pushBuffered(columns: unknown[][], row: unknown[]): void {
  for (let i = 0; i < row.length; i++) columns[i]!.push(row[i]);
}

function cumulative(weights: number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let acc = 0;
  weights.forEach((w, i) => {
    acc += w;
    out[i] = acc;
  });
  // Normalise so a uniform draw in [0, 1) can be passed directly.
  for (let i = 0; i < out.length; i++) out[i]! /= acc;
  return out;
}

/** Index of the first cumulative weight above x (binary search). */
function sample(cum: Float64Array, x: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
