// The widget's styles, inside its shadow root: the host page's CSS cannot reach in and
// ours cannot leak out. --kc is the channel's colour.
export const CSS = `
:host{all:initial;position:fixed;right:20px;bottom:20px;z-index:2147483000;font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"PingFang SC","Hiragino Sans GB","Microsoft YaHei",sans-serif;color:#1f2329;--kc:#1677ff}
*{box-sizing:border-box}
[hidden]{display:none!important}
button{font:inherit;cursor:pointer}
button:focus-visible,textarea:focus-visible,input:focus-visible,a:focus-visible{outline:2px solid var(--kc);outline-offset:2px}
.launcher{position:relative;width:56px;height:56px;border-radius:50%;border:0;background:var(--kc);color:#fff;box-shadow:0 6px 20px rgba(0,0,0,.2);display:flex;align-items:center;justify-content:center;margin-left:auto}
.launcher svg{width:28px;height:28px;fill:currentColor}
.badge{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;padding:0 6px;border-radius:10px;background:#f5222d;color:#fff;font-size:12px;line-height:20px;text-align:center;font-weight:600}
.panel{position:absolute;right:0;bottom:72px;width:370px;height:min(600px,calc(100vh - 110px));background:#fff;border-radius:14px;box-shadow:0 12px 40px rgba(0,0,0,.22);display:flex;flex-direction:column;overflow:hidden}
.head{background:var(--kc);color:#fff;padding:14px 16px;display:flex;align-items:center;gap:10px}
.head h2{margin:0;font-size:16px;font-weight:600;flex:1;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.head small{display:block;font-size:12px;opacity:.85;font-weight:400}
.x{background:transparent;border:0;color:#fff;width:32px;height:32px;border-radius:8px;font-size:22px;line-height:1}
.x:hover{background:rgba(255,255,255,.18)}
.log{flex:1;overflow-y:auto;padding:14px 12px;background:#f6f7f9;display:flex;flex-direction:column;gap:8px}
.msg{max-width:80%;display:flex;flex-direction:column;align-self:flex-start}
.msg.me{align-self:flex-end;align-items:flex-end}
.bubble{padding:8px 12px;border-radius:14px;background:#fff;border:1px solid #e8eaed;white-space:pre-wrap;word-break:break-word}
.me .bubble{background:var(--kc);border-color:var(--kc);color:#fff}
.me.failed .bubble{opacity:.6}
.who{font-size:12px;color:#8a9099;margin:0 4px 2px}
.st{font-size:11px;color:#8a9099;margin:2px 4px 0}
.st.failed{color:#d4380d}
.st button{background:none;border:0;color:var(--kc);padding:0 0 0 6px;font-size:11px;text-decoration:underline}
.bubble img{display:block;max-width:220px;max-height:220px;border-radius:8px;margin:2px 0}
.bubble a{color:inherit;text-decoration:underline}
.fb{display:flex;align-items:center;gap:4px;margin:2px 4px 0;font-size:11px;color:#8a9099}
.fb button{background:none;border:1px solid transparent;border-radius:6px;padding:0 4px;font-size:14px;line-height:20px;filter:grayscale(1);opacity:.6}
.fb button:hover,.fb button[aria-pressed=true]{filter:none;opacity:1;border-color:#d9dce1;background:#fff}
.welcome .bubble{background:#eef3ff;border-color:#dbe5ff}
.typing,.note{font-size:12px;color:#8a9099;padding:0 14px 6px;background:#f6f7f9}
.note.err{color:#d4380d}
.queue{font-size:12px;padding:8px 14px;background:#e6f4ff;color:#003eb3;border-bottom:1px solid #91caff}
.banner{font-size:12px;padding:8px 14px;background:#fffbe6;color:#874d00;border-bottom:1px solid #ffe58f}
.compose{display:flex;align-items:flex-end;gap:6px;padding:10px;border-top:1px solid #eceef1;background:#fff}
.compose textarea{flex:1;resize:none;border:1px solid #d9dce1;border-radius:10px;padding:8px 10px;font:inherit;max-height:120px;min-height:40px;color:inherit}
.icon{width:40px;height:40px;border-radius:10px;border:1px solid #d9dce1;background:#fff;color:#5c6370;display:flex;align-items:center;justify-content:center;flex:none}
.icon svg{width:20px;height:20px;fill:currentColor}
.sendb{background:var(--kc);border-color:var(--kc);color:#fff}
.form{padding:16px;display:flex;flex-direction:column;gap:10px;overflow-y:auto;flex:1}
.form p{margin:0 0 4px;color:#5c6370}
.form label{display:flex;flex-direction:column;gap:4px;font-size:13px;color:#3d434c}
.form input,.form textarea{border:1px solid #d9dce1;border-radius:8px;padding:8px 10px;font:inherit;color:inherit}
.form [aria-invalid=true]{border-color:#f5222d}
.form .e{color:#f5222d;font-size:12px}
.form button[type=submit]{margin-top:4px;padding:10px;border:0;border-radius:8px;background:var(--kc);color:#fff;font-weight:600}
.blocked{padding:24px 16px;color:#5c6370;text-align:center}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:480px){
:host{right:12px;bottom:12px}
.panel{position:fixed;inset:0;width:100%;height:100%;border-radius:0}
.open .launcher{display:none}
}
`;
