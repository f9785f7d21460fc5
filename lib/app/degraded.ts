/**
 * What an iframe page's API answer could not include because the product did not answer in
 * time (see PRODUCT_RENDER_BUDGET_MS): the page shows what the app has with a quiet notice.
 * Client-safe.
 *   people  — display names of who checked items (stale or missing ones are shown without)
 *   license — license details (the license the product signed into the page is shown instead)
 *   admin   — whether the caller is a site admin (editing stays off until the product says so)
 */
export type DegradedPart = 'people' | 'license' | 'admin';
