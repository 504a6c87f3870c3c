// The demo shop's own code: products, a cart kept in localStorage, and "signed-in mode", where
// the shop's server side (the hub's demo endpoint, standing in for a shop backend) signs the
// user id with the site secret and the page hands the signature to the widget.
const PRODUCTS = [
  { id: "mug", name: "Ember stoneware mug", price: 24, img: "img/mug.svg", tag: "Bestseller", text: "Hand-glazed, 350 ml, keeps its warmth." },
  { id: "headphones", name: "Quiet Hours headphones", price: 189, img: "img/headphones.svg", tag: "New", text: "Wireless, noise cancelling, 40 h battery." },
  { id: "backpack", name: "Trailhead backpack 22 L", price: 96, img: "img/backpack.svg", text: "Recycled canvas, padded laptop sleeve." },
  { id: "sneaker", name: "Coastline sneakers", price: 110, img: "img/sneaker.svg", text: "Light, breathable, made to walk all day." },
  { id: "lamp", name: "Halo desk lamp", price: 72, img: "img/lamp.svg", tag: "-15%", text: "Warm dimmable light, USB-C powered." },
  { id: "plant", name: "Easy-going monstera", price: 38, img: "img/plant.svg", text: "Comes potted, forgives missed waterings." },
];
const CART = "demo-shop:cart";
const USER = "demo-shop:user";
const USERS = [
  { user_id: "alice", name: "Alice Martin" },
  { user_id: "bob", name: "Bob Durand" },
];
const money = (n) => new Intl.NumberFormat(document.documentElement.lang || "en", { style: "currency", currency: "EUR" }).format(n);

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
    hello.textContent = `Hi, ${u.name.split(" ")[0]}`;
    const out = document.createElement("button");
    out.type = "button";
    out.className = "link";
    out.id = "signout";
    out.textContent = "Sign out";
    out.onclick = signOut;
    box.append(hello, out);
  } else {
    const sel = document.createElement("select");
    sel.id = "signin";
    sel.setAttribute("aria-label", "Sign in as a demo customer");
    sel.innerHTML = `<option value="">Sign in (demo)…</option>` + USERS.map((x) => `<option value="${x.user_id}">${x.name}</option>`).join("");
    sel.onchange = () => sel.value && signIn(USERS.find((x) => x.user_id === sel.value));
    box.append(sel);
  }
}

async function signIn(who) {
  const res = await fetch("/demo/api/signin", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(who) });
  if (!res.ok) return alert("The demo sign-in endpoint is only there under `hub demo`.");
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
      <div class="shot"><img src="${p.img}" alt="" width="200" height="200">${p.tag ? `<span class="tag">${p.tag}</span>` : ""}</div>
      <div class="info"><h3>${p.name}</h3><p>${p.text}</p>
      <div class="buy"><span class="price">${money(p.price)}</span><button type="button" class="add" data-add="${p.id}">Add to cart</button></div></div>`;
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
    e.target.textContent = "Added ✓";
    setTimeout(() => (e.target.textContent = "Add to cart"), 1200);
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
    li.innerHTML = `<img src="${p.img}" alt="" width="72" height="72"><div class="grow"><b>${p.name}</b><div class="muted">${money(p.price)} each</div></div>
      <label class="qty">Qty <input type="number" min="0" max="9" value="${qty}" data-qty="${id}"></label><b class="sum">${money(p.price * qty)}</b>`;
    list.append(li);
  }
  document.getElementById("cart-empty").hidden = total > 0;
  document.getElementById("cart-summary").hidden = total === 0;
  const shipping = total >= 50 || total === 0 ? 0 : 5.9;
  document.getElementById("subtotal").textContent = money(total);
  document.getElementById("shipping").textContent = shipping ? money(shipping) : "Free";
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

keepQuery();
renderProducts();
renderCart();
renderCount();
renderAccount();
const u = user();
if (u) identify(u);
