// The demo shop's own code: products, a cart kept in localStorage, and "signed-in mode", where
// the shop's server side (the hub's demo endpoint, standing in for a shop backend) signs the
// user id with the site secret and the page hands the signature to the widget.
// The shop speaks the shopper's language as the widget does: the first of the browser's
// languages that it has (English or French), else English; the same rule as the widget's
// pickLanguage (web/widget/src/i18n.js), so the page and the widget on it always agree.
const LANGS = ["en", "fr"];
const LANG =
  (navigator.languages || [navigator.language])
    .map((tag) => String(tag || "").toLowerCase().split("-")[0])
    .find((base) => LANGS.includes(base)) || "en";
const WORDS = {
  en: {
    titleShop: "Northwind Goods: thoughtful things for every day",
    titleCart: "Your cart · Northwind Goods",
    navShop: "Shop",
    story: "Our story",
    cart: "Cart",
    eyebrow: "Autumn collection",
    heroTitle: "Thoughtful things for every day.",
    lede: "Made to last, shipped free over €50, and real people to help you choose: press <b>Help</b> at the bottom right.",
    browse: "Browse the collection",
    popular: "Popular right now",
    storyText: "Northwind Goods is a demo shop for <b>Lifeline</b>, an open-source conversation hub. Open the console in another window, sign in as an agent, and ask a question here: it arrives there in milliseconds.",
    foot: "© Northwind Goods · a Lifeline demo · nothing here is for sale",
    cartTitle: "Your cart",
    empty: "Your cart is empty.",
    emptyLink: "Find something you'll love",
    summary: "Summary",
    subtotal: "Subtotal",
    shipping: "Shipping",
    total: "Total",
    checkout: "Checkout",
    askBefore: "Questions about sizes or delivery?",
    askUs: "Ask us",
    askAfter: ", we answer in a minute.",
    free: "Free",
    each: "{price} each",
    qty: "Qty",
    add: "Add to cart",
    added: "Added ✓",
    hello: "Hi, {name}",
    signOut: "Sign out",
    signInLabel: "Sign in as a demo customer",
    signIn: "Sign in (demo)…",
    noSignIn: "The demo sign-in endpoint is only there under `hub demo`.",
  },
  fr: {
    titleShop: "Northwind Goods : des objets bien pensés pour chaque jour",
    titleCart: "Votre panier · Northwind Goods",
    navShop: "Boutique",
    story: "Notre histoire",
    cart: "Panier",
    eyebrow: "Collection d'automne",
    heroTitle: "Des objets bien pensés pour chaque jour.",
    lede: "Faits pour durer, livrés gratuitement dès 50 €, et de vraies personnes pour vous aider à choisir : appuyez sur <b>Aide</b> en bas à droite.",
    browse: "Découvrir la collection",
    popular: "En ce moment",
    storyText: "Northwind Goods est une boutique de démonstration de <b>Lifeline</b>, un hub de conversation open source. Ouvrez la console dans une autre fenêtre, connectez-vous comme conseiller et posez une question ici : elle y arrive en quelques millisecondes.",
    foot: "© Northwind Goods · une démo de Lifeline · rien n'est à vendre ici",
    cartTitle: "Votre panier",
    empty: "Votre panier est vide.",
    emptyLink: "Trouvez ce qui vous plaira",
    summary: "Récapitulatif",
    subtotal: "Sous-total",
    shipping: "Livraison",
    total: "Total",
    checkout: "Commander",
    askBefore: "Une question sur les tailles ou la livraison ?",
    askUs: "Demandez-nous",
    askAfter: ", nous répondons en une minute.",
    free: "Offerte",
    each: "{price} l'unité",
    qty: "Qté",
    add: "Ajouter au panier",
    added: "Ajouté ✓",
    hello: "Bonjour, {name}",
    signOut: "Se déconnecter",
    signInLabel: "Se connecter comme client de démo",
    signIn: "Se connecter (démo)…",
    noSignIn: "La connexion de démo n'existe que sous `hub demo`.",
  },
};
function t(key, vars) {
  let text = WORDS[LANG][key] ?? WORDS.en[key];
  for (const [k, v] of Object.entries(vars || {})) text = text.split(`{${k}}`).join(String(v));
  return text;
}

// `name` is the catalogue's name, which the shop gives the widget as the product in question
// (the agent's wrap-up and the andon count it, so it is one name whatever the language);
// `title` and `text` are what the shopper reads.
const PRODUCTS = [
  { id: "mug", name: "Ember stoneware mug", price: 24, img: "img/mug.svg", tag: { en: "Bestseller", fr: "Meilleure vente" },
    title: { fr: "Mug en grès Ember" }, text: { en: "Hand-glazed, 350 ml, keeps its warmth.", fr: "Émaillé à la main, 350 ml, garde la chaleur." } },
  { id: "headphones", name: "Quiet Hours headphones", price: 189, img: "img/headphones.svg", tag: { en: "New", fr: "Nouveau" },
    title: { fr: "Casque Quiet Hours" }, text: { en: "Wireless, noise cancelling, 40 h battery.", fr: "Sans fil, à réduction de bruit, 40 h d'autonomie." } },
  { id: "backpack", name: "Trailhead backpack 22 L", price: 96, img: "img/backpack.svg",
    title: { fr: "Sac à dos Trailhead 22 L" }, text: { en: "Recycled canvas, padded laptop sleeve.", fr: "Toile recyclée, poche rembourrée pour ordinateur." } },
  { id: "sneaker", name: "Coastline sneakers", price: 110, img: "img/sneaker.svg",
    title: { fr: "Baskets Coastline" }, text: { en: "Light, breathable, made to walk all day.", fr: "Légères, respirantes, faites pour marcher toute la journée." } },
  { id: "lamp", name: "Halo desk lamp", price: 72, img: "img/lamp.svg", tag: { en: "-15%", fr: "-15 %" },
    title: { fr: "Lampe de bureau Halo" }, text: { en: "Warm dimmable light, USB-C powered.", fr: "Lumière chaude à variateur, alimentée en USB-C." } },
  { id: "plant", name: "Easy-going monstera", price: 38, img: "img/plant.svg",
    title: { fr: "Monstera facile à vivre" }, text: { en: "Comes potted, forgives missed waterings.", fr: "Livré en pot, pardonne les arrosages oubliés." } },
];
const say = (words) => words[LANG] ?? words.en;
const title = (p) => p.title[LANG] ?? p.name;
const CART = "demo-shop:cart";
const USER = "demo-shop:user";
const USERS = [
  { user_id: "alice", name: "Alice Martin" },
  { user_id: "bob", name: "Bob Durand" },
];
const money = (n) => new Intl.NumberFormat(LANG, { style: "currency", currency: "EUR" }).format(n);

// The page's own words: an element's data-t (text), data-t-html (the table's own markup, never
// a shopper's) or data-t-label (aria-label) names its key.
function translatePage() {
  document.documentElement.lang = LANG;
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  for (const el of document.querySelectorAll("[data-t-html]")) el.innerHTML = t(el.dataset.tHtml);
  for (const el of document.querySelectorAll("[data-t-label]")) el.setAttribute("aria-label", t(el.dataset.tLabel));
}

function cart() {
  try {
    return JSON.parse(localStorage.getItem(CART)) || {};
  } catch (_) {
    return {};
  }
}
function saveCart(c) {
  localStorage.setItem(CART, JSON.stringify(c));
  renderCount();
}
function user() {
  try {
    return JSON.parse(localStorage.getItem(USER));
  } catch (_) {
    return null;
  }
}

// Keep ?site_key= (and any other query) on links between the shop's pages.
function keepQuery() {
  if (!location.search) return;
  for (const a of document.querySelectorAll("a[data-keep]")) a.href = a.getAttribute("href").split("?")[0] + location.search;
}

function renderCount() {
  const n = Object.values(cart()).reduce((a, b) => a + b, 0);
  for (const el of document.querySelectorAll("[data-cart-count]")) {
    el.textContent = String(n);
    el.hidden = n === 0;
  }
}

function renderAccount() {
  const box = document.getElementById("account");
  if (!box) return;
  const u = user();
  box.textContent = "";
  if (u) {
    const hello = document.createElement("span");
    hello.className = "hello";
    hello.textContent = t("hello", { name: u.name.split(" ")[0] });
    const out = document.createElement("button");
    out.type = "button";
    out.className = "link";
    out.id = "signout";
    out.textContent = t("signOut");
    out.onclick = signOut;
    box.append(hello, out);
  } else {
    const sel = document.createElement("select");
    sel.id = "signin";
    sel.setAttribute("aria-label", t("signInLabel"));
    sel.innerHTML = `<option value="">${t("signIn")}</option>` + USERS.map((x) => `<option value="${x.user_id}">${x.name}</option>`).join("");
    sel.onchange = () => sel.value && signIn(USERS.find((x) => x.user_id === sel.value));
    box.append(sel);
  }
}

async function signIn(who) {
  const res = await fetch("/demo/api/signin", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(who) });
  if (!res.ok) return alert(t("noSignIn"));
  const signed = await res.json();
  localStorage.setItem(USER, JSON.stringify(signed));
  renderAccount();
  identify(signed);
}

function signOut() {
  localStorage.removeItem(USER);
  // A shared computer must not show the next person this customer's history.
  window.Lifeline("reset");
  renderAccount();
}

function identify(u) {
  window.Lifeline("identify", { userId: u.user_id, userHash: u.user_hash, name: u.name });
}

function renderProducts() {
  const grid = document.getElementById("products");
  if (!grid) return;
  for (const p of PRODUCTS) {
    const card = document.createElement("article");
    card.className = "product";
    card.innerHTML = `
      <div class="shot"><img src="${p.img}" alt="" width="200" height="200">${p.tag ? `<span class="tag">${say(p.tag)}</span>` : ""}</div>
      <div class="info"><h3>${title(p)}</h3><p>${say(p.text)}</p>
      <div class="buy"><span class="price">${money(p.price)}</span><button type="button" class="add" data-add="${p.id}">${t("add")}</button></div></div>`;
    grid.append(card);
  }
  grid.addEventListener("click", (e) => {
    const id = e.target.closest("[data-add]")?.dataset.add;
    if (!id) return;
    const c = cart();
    c[id] = (c[id] || 0) + 1;
    saveCart(c);
    // The product the shopper is after: the agent sees it, and a wrap-up defaults to it.
    const product = PRODUCTS.find((x) => x.id === id);
    if (product && window.Lifeline) window.Lifeline("setContext", { product: product.name });
    e.target.textContent = t("added");
    setTimeout(() => (e.target.textContent = t("add")), 1200);
  });
}

function renderCart() {
  const list = document.getElementById("cart-lines");
  if (!list) return;
  const c = cart();
  list.textContent = "";
  let total = 0;
  for (const [id, qty] of Object.entries(c)) {
    const p = PRODUCTS.find((x) => x.id === id);
    if (!p || qty <= 0) continue;
    total += p.price * qty;
    const li = document.createElement("li");
    li.className = "line";
    li.innerHTML = `<img src="${p.img}" alt="" width="72" height="72"><div class="grow"><b>${title(p)}</b><div class="muted">${t("each", { price: money(p.price) })}</div></div>
      <label class="qty">${t("qty")} <input type="number" min="0" max="9" value="${qty}" data-qty="${id}"></label><b class="sum">${money(p.price * qty)}</b>`;
    list.append(li);
  }
  document.getElementById("cart-empty").hidden = total > 0;
  document.getElementById("cart-summary").hidden = total === 0;
  const shipping = total >= 50 || total === 0 ? 0 : 5.9;
  document.getElementById("subtotal").textContent = money(total);
  document.getElementById("shipping").textContent = shipping ? money(shipping) : t("free");
  document.getElementById("total").textContent = money(total + shipping);
  list.onchange = (e) => {
    const id = e.target.dataset.qty;
    if (!id) return;
    const next = cart();
    next[id] = Math.max(0, Math.min(9, Number(e.target.value) || 0));
    if (!next[id]) delete next[id];
    saveCart(next);
    renderCart();
  };
}

translatePage();
keepQuery();
renderProducts();
renderCart();
renderCount();
renderAccount();
const u = user();
if (u) identify(u);
