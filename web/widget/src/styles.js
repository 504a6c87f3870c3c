// The widget's CSS, scoped by its shadow root. `:host { all: initial !important }` beats the
// page's own `!important` rules on the host element (for important declarations the inner,
// shadow context wins), so inherited properties like font-size cannot leak in.
export function css({ color, text, side }) {
  const x = side === "left" ? "left" : "right";
  return `
:host{all:initial!important;position:fixed!important;z-index:2147483000!important;display:block!important;
 top:auto!important;bottom:0!important;${x}:0!important;width:0!important;height:0!important;
 visibility:visible!important;opacity:1!important;transform:none!important;filter:none!important;
}
*{box-sizing:border-box;}
.root{--c:${color};--t:${text};--bg:#fff;--fg:#1c1d21;--muted:#5c6270;--line:#e3e5ea;--soft:#f4f5f8;
 font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);
 -webkit-font-smoothing:antialiased;text-align:left;letter-spacing:normal;word-spacing:normal;text-transform:none;
 direction:ltr;white-space:normal;}
button,input,select,textarea{font:inherit;color:inherit;margin:0;}
button{cursor:pointer;}
[hidden]{display:none!important;}
.sr{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;}
:focus-visible{outline:3px solid #1a73e8;outline-offset:2px;}
.launcher{position:fixed;bottom:20px;${x}:20px;display:flex;align-items:center;gap:8px;height:52px;padding:0 20px 0 16px;
 border:0;border-radius:26px;background:var(--c);color:var(--t);font-weight:600;font-size:16px;
 box-shadow:0 6px 20px rgba(20,20,40,.25),0 1px 3px rgba(20,20,40,.2);transition:transform .15s ease;}
.launcher:hover{transform:translateY(-2px);}
.launcher svg{width:24px;height:24px;flex:none;}
.badge{position:absolute;top:-6px;${x === "right" ? "left" : "right"}:-6px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;
 background:#d93025;color:#fff;font-size:12px;font-weight:700;line-height:22px;text-align:center;border:2px solid #fff;}
.panel{position:fixed;bottom:84px;${x}:20px;width:380px;height:min(620px,calc(100vh - 110px - var(--ll-top,0px)));display:flex;flex-direction:column;
 background:var(--bg);border-radius:16px;overflow:hidden;box-shadow:0 12px 48px rgba(20,20,40,.28),0 2px 6px rgba(20,20,40,.12);
 animation:pop .18s ease-out;}
@keyframes pop{from{opacity:0;transform:translateY(12px) scale(.98)}to{opacity:1;transform:none}}
.head{display:flex;align-items:center;gap:10px;padding:14px 12px 14px 16px;background:var(--c);color:var(--t);flex:none;}
.head .ttl{flex:1;min-width:0;}
.head h2{margin:0;font-size:16px;font-weight:700;line-height:1.3;}
.head p{margin:2px 0 0;font-size:13px;opacity:.92;display:flex;align-items:center;gap:6px;}
.dot{width:8px;height:8px;border-radius:50%;background:#9aa0a6;flex:none;box-shadow:0 0 0 2px rgba(255,255,255,.5);}
.dot.on{background:#34c759;}
.icon{display:grid;place-items:center;width:36px;height:36px;border:0;border-radius:10px;background:transparent;color:inherit;flex:none;}
.icon:hover{background:rgba(255,255,255,.16);}
.icon svg{width:20px;height:20px;}
.avatar{width:36px;height:36px;border-radius:50%;background:rgba(255,255,255,.22);display:grid;place-items:center;font-weight:700;flex:none;}
.body{flex:1;min-height:0;display:flex;flex-direction:column;background:var(--bg);}
.home{padding:20px 16px;overflow:auto;}
.home h3{margin:0 0 4px;font-size:22px;}
.home p.lead{margin:0 0 18px;color:var(--muted);}
.card{display:flex;align-items:center;gap:14px;width:100%;padding:14px;margin:0 0 10px;border:1px solid var(--line);
 border-radius:12px;background:#fff;text-align:left;transition:border-color .15s,box-shadow .15s;}
.card:hover{border-color:var(--c);box-shadow:0 2px 10px rgba(20,20,40,.08);}
.card .ci{width:40px;height:40px;border-radius:10px;display:grid;place-items:center;background:var(--soft);color:var(--c);flex:none;}
.card .ci svg{width:22px;height:22px;}
.card b{display:block;font-size:15px;}
.card span.h{display:block;font-size:13px;color:var(--muted);}
.notice{margin:0 0 14px;padding:12px 14px;border-radius:12px;background:#fff7e6;color:#5c3c00;font-size:14px;border:1px solid #f3d9a4;}
.notice.ok{background:#e9f7ef;color:#0f5132;border-color:#b7e1c8;}
.notice.bad{background:#fdecea;color:#8a1c13;border-color:#f5c2bd;}
.notice button{margin-top:8px;}
.log{flex:1;min-height:0;overflow-y:auto;padding:16px 14px 8px;display:flex;flex-direction:column;gap:4px;background:var(--soft);}
.msg{max-width:80%;padding:9px 13px;border-radius:16px;white-space:pre-wrap;overflow-wrap:anywhere;font-size:15px;}
.msg.me{align-self:flex-end;background:var(--c);color:var(--t);border-bottom-right-radius:5px;}
.msg.them{align-self:flex-start;background:#fff;border:1px solid var(--line);border-bottom-left-radius:5px;}
.msg.pending{opacity:.6;}
.who{font-size:12px;color:var(--muted);margin:8px 4px 0;}
.who.me{align-self:flex-end;}
.sys{align-self:center;text-align:center;font-size:12.5px;color:var(--muted);margin:8px 12px;}
.sys.alert{background:#fff7e6;color:#5c3c00;border:1px solid #f3d9a4;padding:10px 12px;border-radius:10px;font-size:14px;}
.sys.alert button{display:block;margin:8px auto 0;}
.chatbar{flex:none;display:flex;flex-wrap:wrap;align-items:center;gap:6px 8px;padding:6px 10px 6px 14px;background:#fff;border-top:1px solid var(--line);}
.status{flex:1 1 160px;min-width:0;font-size:13px;color:var(--muted);}
.chatbar>.btn{margin-left:auto;}
.btn.small{min-height:32px;padding:4px 12px;font-size:13.5px;}
.endask{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin-left:auto;font-size:13.5px;font-weight:600;}
.typing{flex:none;padding:0 16px 6px;font-size:12.5px;color:var(--muted);background:var(--soft);min-height:0;}
.typing i{display:inline-block;width:5px;height:5px;margin-right:3px;border-radius:50%;background:var(--muted);animation:blink 1.2s infinite;}
.typing i:nth-child(2){animation-delay:.2s}.typing i:nth-child(3){animation-delay:.4s}
@keyframes blink{0%,60%,100%{opacity:.25}30%{opacity:1}}
form.compose{flex:none;display:flex;align-items:flex-end;gap:8px;padding:10px 10px 10px 14px;border-top:1px solid var(--line);background:#fff;}
textarea{flex:1;resize:none;border:0;outline:0;max-height:120px;min-height:24px;padding:8px 0;background:transparent;font-size:15px;line-height:1.4;}
textarea:focus-visible{outline:none;}
form.compose:focus-within{box-shadow:inset 0 2px 0 var(--c);}
.send{width:40px;height:40px;border:0;border-radius:50%;background:var(--c);color:var(--t);display:grid;place-items:center;flex:none;}
.send:disabled{opacity:.45;cursor:default;}
.send svg{width:20px;height:20px;}
.btn{display:inline-flex;align-items:center;justify-content:center;gap:6px;min-height:40px;padding:8px 16px;border:0;border-radius:10px;background:var(--c);color:var(--t);font-weight:600;}
.btn.ghost{background:transparent;color:var(--c);border:1px solid var(--line);}
.btn.wide{width:100%;}
.form{padding:18px 16px;overflow:auto;}
.form h3{margin:0 0 12px;font-size:18px;}
label.f{display:block;font-weight:600;font-size:14px;margin:0 0 6px;}
.hint{display:block;font-size:12.5px;color:var(--muted);margin:4px 0 14px;}
input.in,select.in{display:block;width:100%;height:44px;padding:0 12px;border:1px solid #b9bec8;border-radius:10px;background:#fff;font-size:16px;}
input.in:focus,select.in:focus{border-color:var(--c);outline:2px solid var(--c);outline-offset:0;}
input.in[aria-invalid=true]{border-color:#d93025;}
.err{color:#b3261e;font-size:13px;margin:-8px 0 12px;}
fieldset{border:0;padding:0;margin:0 0 14px;}
legend{font-weight:600;font-size:14px;padding:0;margin:0 0 6px;}
.radio{display:flex;align-items:center;gap:8px;padding:6px 0;font-size:15px;}
.radio input{width:18px;height:18px;accent-color:var(--c);margin:0;}
.survey-pane{flex:0 1 auto;max-height:calc(100% - 110px);overflow-y:auto;background:#fff;border-top:1px solid var(--line);}
[data-view=callback]>.form{flex:none;}
.survey-pane .form{padding:14px 16px;}
.survey-pane .form h3{margin:0 0 4px;font-size:17px;}
.survey-pane .outcome{padding:12px 14px 4px;}
.survey-pane .outcome .notice{margin:0 0 8px;}
.survey-pane .outcome .btn{margin:0 0 10px;}
.badge.dot-only{min-width:16px;height:16px;padding:0;top:-3px;}
.lead{margin:0 0 14px;color:var(--muted);font-size:14px;}
.choices{display:flex;gap:8px;}
.choice{flex:1;min-height:44px;padding:8px 10px;border:1px solid #b9bec8;border-radius:10px;background:#fff;font-weight:600;}
.choice:hover{border-color:var(--c);}
.choice[aria-pressed=true]{background:var(--c);color:var(--t);border-color:var(--c);}
.steps{gap:4px;}
.choice.step{padding:8px 0;min-width:0;}
.ends{display:flex;justify-content:space-between;font-size:12.5px;color:var(--muted);margin-top:4px;}
textarea.in.area{display:block;width:100%;height:auto;min-height:54px;padding:8px 12px;border:1px solid #b9bec8;border-radius:10px;background:#fff;font-size:15px;resize:vertical;margin:0 0 14px;}
textarea.in.area:focus{border-color:var(--c);outline:2px solid var(--c);outline-offset:0;}
.phonebox{margin:0 0 4px;}
.form h3[tabindex]:focus{outline:none;}
.btn:disabled{opacity:.6;cursor:default;}
.foot{flex:none;text-align:center;font-size:11.5px;color:#6b7280;padding:6px;background:#fff;}
@media (max-width:480px){
 .panel{inset:var(--ll-top,0px) 0 0 0;width:auto;height:auto;border-radius:0;animation:none;}
 .launcher.open{display:none;}
}
@media (prefers-reduced-motion:reduce){.panel,.launcher{animation:none;transition:none;}.typing i{animation:none;}}
`;
}
