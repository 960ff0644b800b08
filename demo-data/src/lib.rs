//! The deterministic demo catalog every subgraph seeds from (its own crate: it is seed data,
//! not what a service runs on). Catalog stores the products,
//! pricing their prices, recommendation their relations: deriving all three from one
//! generator keeps the databases consistent without any subgraph reading another's.

/// A demo category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoCategory {
    pub id: String,
    pub slug: &'static str,
    pub name: &'static str,
}

/// A demo product; ids are `prod-000001` upwards, so their order is creation order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoProduct {
    pub id: String,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub category_id: String,
    pub category_slug: &'static str,
    pub tags: Vec<String>,
    pub image_url: Option<String>,
    /// List price in US cents.
    pub base_price_cents: i64,
}

struct Blueprint {
    slug: &'static str,
    name: &'static str,
    sku_prefix: &'static str,
    nouns: &'static [&'static str],
    qualities: &'static [&'static str],
    tags: &'static [&'static str],
    /// Price range in whole dollars.
    price: (i64, i64),
}

const ADJECTIVES: &[&str] = &[
    "Classic",
    "Compact",
    "Premium",
    "Everyday",
    "Deluxe",
    "Essential",
    "Modern",
    "Rustic",
    "Ultra",
    "Vintage",
    "Smart",
    "Eco",
];

const BLUEPRINTS: &[Blueprint] = &[
    Blueprint {
        slug: "electronics",
        name: "Electronics",
        sku_prefix: "ELE",
        nouns: &[
            "Headphones",
            "Speaker",
            "Charger",
            "Keyboard",
            "Webcam",
            "Monitor",
        ],
        qualities: &[
            "wireless",
            "noise-cancelling",
            "fast-charging",
            "4K",
            "Bluetooth",
        ],
        tags: &[
            "audio",
            "wireless",
            "usb-c",
            "bluetooth",
            "gadget",
            "portable",
        ],
        price: (15, 600),
    },
    Blueprint {
        slug: "books",
        name: "Books",
        sku_prefix: "BOO",
        nouns: &[
            "Novel",
            "Cookbook",
            "Field Guide",
            "Atlas",
            "Anthology",
            "Handbook",
        ],
        qualities: &[
            "hardcover",
            "illustrated",
            "annotated",
            "paperback",
            "signed",
        ],
        tags: &[
            "fiction",
            "reference",
            "cooking",
            "travel",
            "history",
            "bestseller",
        ],
        price: (8, 60),
    },
    Blueprint {
        slug: "home-kitchen",
        name: "Home & Kitchen",
        sku_prefix: "HOM",
        nouns: &[
            "Skillet",
            "Kettle",
            "Knife Set",
            "Blender",
            "Dutch Oven",
            "Cutting Board",
        ],
        qualities: &[
            "cast-iron",
            "stainless steel",
            "dishwasher-safe",
            "non-stick",
            "bamboo",
        ],
        tags: &[
            "cookware", "kitchen", "dining", "baking", "storage", "coffee",
        ],
        price: (12, 350),
    },
    Blueprint {
        slug: "outdoors",
        name: "Outdoors",
        sku_prefix: "OUT",
        nouns: &[
            "Tent",
            "Backpack",
            "Sleeping Bag",
            "Lantern",
            "Water Filter",
            "Hammock",
        ],
        qualities: &[
            "waterproof",
            "ultralight",
            "four-season",
            "packable",
            "insulated",
        ],
        tags: &[
            "camping",
            "hiking",
            "travel",
            "waterproof",
            "survival",
            "lightweight",
        ],
        price: (20, 700),
    },
    Blueprint {
        slug: "toys",
        name: "Toys & Games",
        sku_prefix: "TOY",
        nouns: &[
            "Puzzle",
            "Board Game",
            "Building Set",
            "Plush Bear",
            "Kite",
            "Train Set",
        ],
        qualities: &[
            "wooden",
            "1000-piece",
            "educational",
            "family-size",
            "glow-in-the-dark",
        ],
        tags: &[
            "kids",
            "family",
            "puzzle",
            "educational",
            "gift",
            "strategy",
        ],
        price: (6, 150),
    },
    Blueprint {
        slug: "beauty",
        name: "Beauty",
        sku_prefix: "BEA",
        nouns: &[
            "Face Serum",
            "Shampoo",
            "Lip Balm",
            "Hand Cream",
            "Perfume",
            "Brush Set",
        ],
        qualities: &[
            "fragrance-free",
            "organic",
            "vegan",
            "travel-size",
            "hydrating",
        ],
        tags: &[
            "skincare",
            "haircare",
            "organic",
            "vegan",
            "fragrance",
            "gift",
        ],
        price: (5, 120),
    },
    Blueprint {
        slug: "sports",
        name: "Sports & Fitness",
        sku_prefix: "SPO",
        nouns: &[
            "Yoga Mat",
            "Dumbbell Set",
            "Running Shoes",
            "Jump Rope",
            "Football",
            "Water Bottle",
        ],
        qualities: &[
            "non-slip",
            "adjustable",
            "breathable",
            "insulated",
            "regulation-size",
        ],
        tags: &[
            "fitness",
            "running",
            "yoga",
            "training",
            "team-sports",
            "outdoor",
        ],
        price: (8, 400),
    },
    Blueprint {
        slug: "garden",
        name: "Garden",
        sku_prefix: "GAR",
        nouns: &[
            "Planter",
            "Pruning Shears",
            "Hose",
            "Seed Kit",
            "Bird Feeder",
            "Wheelbarrow",
        ],
        qualities: &[
            "self-watering",
            "rust-proof",
            "expandable",
            "heirloom",
            "weatherproof",
        ],
        tags: &[
            "plants", "tools", "outdoor", "watering", "seeds", "wildlife",
        ],
        price: (7, 250),
    },
    Blueprint {
        slug: "office",
        name: "Office",
        sku_prefix: "OFF",
        nouns: &[
            "Desk Lamp",
            "Notebook",
            "Fountain Pen",
            "Desk Organizer",
            "Office Chair",
            "Whiteboard",
        ],
        qualities: &[
            "ergonomic",
            "dimmable",
            "refillable",
            "magnetic",
            "recycled",
        ],
        tags: &[
            "desk",
            "stationery",
            "lighting",
            "writing",
            "ergonomic",
            "organization",
        ],
        price: (4, 500),
    },
    Blueprint {
        slug: "pets",
        name: "Pet Supplies",
        sku_prefix: "PET",
        nouns: &[
            "Dog Bed",
            "Cat Tree",
            "Leash",
            "Chew Toy",
            "Food Bowl",
            "Litter Box",
        ],
        qualities: &[
            "orthopedic",
            "chew-resistant",
            "reflective",
            "washable",
            "elevated",
        ],
        tags: &["dog", "cat", "toys", "bedding", "feeding", "walking"],
        price: (5, 220),
    },
    Blueprint {
        slug: "music",
        name: "Musical Instruments",
        sku_prefix: "MUS",
        nouns: &[
            "Acoustic Guitar",
            "Ukulele",
            "Keyboard Stand",
            "Drum Pad",
            "Microphone",
            "Capo",
        ],
        qualities: &["solid-top", "beginner", "studio-grade", "foldable", "tuned"],
        tags: &[
            "guitar",
            "recording",
            "practice",
            "strings",
            "percussion",
            "beginner",
        ],
        price: (10, 900),
    },
    Blueprint {
        slug: "fashion",
        name: "Fashion",
        sku_prefix: "FAS",
        nouns: &[
            "Rain Jacket",
            "Wool Scarf",
            "Leather Belt",
            "Sneakers",
            "Sunglasses",
            "Tote Bag",
        ],
        qualities: &[
            "merino",
            "polarized",
            "handmade",
            "water-resistant",
            "slim-fit",
        ],
        tags: &[
            "outerwear",
            "accessories",
            "footwear",
            "summer",
            "winter",
            "leather",
        ],
        price: (9, 300),
    },
];

/// The demo categories, in display order.
pub fn categories() -> Vec<DemoCategory> {
    BLUEPRINTS
        .iter()
        .enumerate()
        .map(|(index, blueprint)| DemoCategory {
            id: category_id(index),
            slug: blueprint.slug,
            name: blueprint.name,
        })
        .collect()
}

/// The first `count` demo products; the same `count` always yields the same products.
pub fn products(count: usize) -> impl Iterator<Item = DemoProduct> {
    (0..count).map(product)
}

/// The id of the `index`-th (0-based) demo product.
pub fn product_id(index: usize) -> String {
    format!("prod-{:06}", index + 1)
}

fn category_id(index: usize) -> String {
    format!("cat-{:02}", index + 1)
}

fn product(index: usize) -> DemoProduct {
    let category_index = index % BLUEPRINTS.len();
    let blueprint = &BLUEPRINTS[category_index];
    let mut random = SplitMix64(index as u64);
    let adjective = pick(&mut random, ADJECTIVES);
    let noun = pick(&mut random, blueprint.nouns);
    let quality = pick(&mut random, blueprint.qualities);
    let serial = index / BLUEPRINTS.len() + 1;
    let mut tags: Vec<String> = Vec::with_capacity(3);
    while tags.len() < 3 {
        let tag = pick(&mut random, blueprint.tags);
        if !tags.iter().any(|t| t == tag) {
            tags.push(tag.to_owned());
        }
    }
    let (low, high) = blueprint.price;
    let dollars = low + (random.next() % (high - low + 1) as u64) as i64;
    let cents = [0, 49, 95, 99][(random.next() % 4) as usize];
    let id = product_id(index);
    DemoProduct {
        sku: format!("{}-{:06}", blueprint.sku_prefix, index + 1),
        name: format!("{adjective} {noun} {serial}"),
        description: format!(
            "A {quality} {} from our {} range, chosen for {} and {}. Model {serial}.",
            noun.to_lowercase(),
            blueprint.name.to_lowercase(),
            tags[0],
            tags[1]
        ),
        category_id: category_id(category_index),
        category_slug: blueprint.slug,
        image_url: (index % 9 != 8)
            .then(|| format!("https://cdn.storefront.example/products/{id}.jpg")),
        tags,
        base_price_cents: dollars * 100 + cents,
        id,
    }
}

fn pick<'a>(random: &mut SplitMix64, items: &[&'a str]) -> &'a str {
    items[(random.next() % items.len() as u64) as usize]
}

/// A tiny, seedable mixer: demo data must be identical on every machine and every run.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_spans_every_category() {
        let first: Vec<_> = products(1200).collect();
        let second: Vec<_> = products(1200).collect();
        assert_eq!(first, second);
        let slugs: std::collections::BTreeSet<_> = first.iter().map(|p| p.category_slug).collect();
        assert_eq!(slugs.len(), categories().len());
        assert!(categories().len() >= 10);
    }

    #[test]
    fn skus_are_unique_and_prices_positive() {
        let all: Vec<_> = products(5000).collect();
        let skus: std::collections::HashSet<_> = all.iter().map(|p| p.sku.as_str()).collect();
        assert_eq!(skus.len(), all.len());
        assert!(all.iter().all(|p| p.base_price_cents > 0));
        assert!(all.iter().all(|p| p.tags.len() == 3));
    }
}
