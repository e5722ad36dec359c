#!/usr/bin/env python3
"""Helper for scripts/preview.sh: turns a reviewed Slack payload into an HTML page that
approximates how Slack shows the message (Block Kit, mrkdwn), and reads back what Chromium
measured. Python 3 standard library only.

    preview.py html SOURCE STEP OUT.html   SOURCE: a payload JSON file (a fixture's `slack`
                                           field, or a scenario's steps, or a bare payload);
                                           STEP: the scenario step (0-based, -1 the last),
                                           or - for a file that is not a scenario, or
                                           thread for an app expectation (app/*.json): the
                                           Slack thread its calls leave (thread:N: as it
                                           reads after step N)
    preview.py height DUMPED.html          the height Chromium measured (from --dump-dom)
    preview.py png-size FILE.png           WIDTHxHEIGHT of a PNG

It is an approximation: Slack's own fonts, emoji set and spacing differ a little.
"""

import datetime
import html
import json
import re
import sys

APP_NAME = "ecs-deploy-alerts"

# ---------------------------------------------------------------------------------------
# Loading


def load_payload(source, step):
    with open(source, encoding="utf-8") as f:
        data = json.load(f)
    if isinstance(data, list):
        if step in ("-", ""):
            sys.exit(f"{source} is a scenario (a list of steps): give a step index")
        try:
            item = data[int(step)]
        except (ValueError, IndexError):
            sys.exit(f"{source} has {len(data)} steps: no step {step}")
        if not isinstance(item, dict) or not isinstance(item.get("slack"), dict):
            sys.exit(f"{source} step {step} has no Slack message (`slack` is {item.get('slack')!r})")
        return item["slack"]
    if step not in ("-", ""):
        sys.exit(f"{source} is not a scenario: use - as the step")
    if isinstance(data.get("slack"), dict):
        return data["slack"]
    if "blocks" in data or "text" in data:
        return data
    sys.exit(f"{source} has no Slack message")


def load_thread(source, step):
    """An app expectation (a list of steps, each with the Web API `calls` it made) as the
    thread those calls leave in Slack: (parent payload, its first time, edited, replies).
    The first chat.postMessage without thread_ts is the parent, each chat.postMessage with
    thread_ts a reply, and each chat.update with ts rewrites the parent (the newest wins).
    Calls of a step Slack answered with an error did not land, so they are left out."""
    with open(source, encoding="utf-8") as f:
        data = json.load(f)
    if not isinstance(data, list) or not all(isinstance(s, dict) and "calls" in s for s in data):
        sys.exit(f"{source} is not an app expectation (a list of steps with `calls`)")
    _, _, last = step.partition(":")
    if last:
        try:
            data[int(last)]
        except (ValueError, IndexError):
            sys.exit(f"{source} has {len(data)} steps: no step {last}")
        end = int(last) % len(data) + 1
    else:
        end = len(data)
    parent = original = None
    thread_ts = None
    edited = False
    replies = []

    def same_thread(ts, what):
        nonlocal thread_ts
        if parent is None:
            sys.exit(f"{source}: a {what} comes before the thread's parent")
        if thread_ts is None:
            thread_ts = ts
        elif ts != thread_ts:
            sys.exit(f"{source}: a {what} for thread {ts}, but this thread is {thread_ts}")

    for item in data[:end]:
        failed = (item.get("status") or 200) >= 400 or "error" in (item.get("response") or {})
        for call in [] if failed else item.get("calls") or []:
            method, body = call.get("method"), call.get("body") or {}
            if method == "chat.postMessage" and not body.get("thread_ts"):
                if parent is not None:
                    sys.exit(f"{source}: a second message outside the thread: more than one thread")
                parent = original = body
            elif method == "chat.postMessage":
                same_thread(body["thread_ts"], "reply")
                replies.append(body)
            elif method == "chat.update":
                same_thread(body.get("ts"), "chat.update")
                parent, edited = body, True
            else:
                sys.exit(f"{source}: no picture for a {method} call")
    if parent is None:
        sys.exit(f"{source} posts no thread parent" + (f" by step {last}" if last else ""))
    return parent, post_time(original), edited, replies


# ---------------------------------------------------------------------------------------
# mrkdwn

# Slack escapes only these three in message text; anything else stays as written.
def unescape_slack(text):
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def esc(text):
    return html.escape(text, quote=True)


PLACEHOLDER = "\x00{}\x00"
# A newline just before or after a code block is the block's own line break: drop it.
CODE_BLOCK = re.compile(r"\n?```(.*?)```\n?", re.S)
INLINE_CODE = re.compile(r"`([^`\n]+)`")
CONTROL = re.compile(r"<([^<>\n]+)>")
EMPHASIS = [
    # (marker, tag): Slack wants the opening marker after a non-word character and the
    # closing one before a non-word character, on one line, hugging non-space text.
    ("*", "b"),
    ("_", "i"),
    ("~", "s"),
]


def render_control(inner):
    """`<...>`: a link, a mention, a channel or a special mention."""
    target, _, label = inner.partition("|")
    if target.startswith("!"):
        name = target[1:].split("^")[0]
        word = label or {"here": "here", "channel": "channel", "everyone": "everyone"}.get(name, name)
        return f'<span class="mention broadcast">@{esc(unescape_slack(word))}</span>'
    if target.startswith("@"):
        return f'<span class="mention">@{esc(unescape_slack(label or target[1:]))}</span>'
    if target.startswith("#"):
        return f'<span class="mention">#{esc(unescape_slack(label or target[1:]))}</span>'
    text = label if label else target
    href = unescape_slack(target)
    if not re.match(r"(?i)(https?|mailto|ftp):", href):
        href = "#"
    return f'<a href="{esc(href)}">{esc(unescape_slack(text))}</a>'


def plain_with_controls(text, keep):
    """Replace `<...>` controls with placeholders (their HTML kept in `keep`), then unescape
    Slack's entities and HTML-escape what is left."""
    out = []
    pos = 0
    for m in CONTROL.finditer(text):
        out.append(esc(unescape_slack(text[pos:m.start()])))
        keep.append(render_control(m.group(1)))
        out.append(PLACEHOLDER.format(len(keep) - 1))
        pos = m.end()
    out.append(esc(unescape_slack(text[pos:])))
    return "".join(out)


def emphasis(text):
    for marker, tag in EMPHASIS:
        m = re.escape(marker)
        pattern = re.compile(
            rf"(?<![A-Za-z0-9{m}]){m}(?=[^\s{m}])([^\n]*?[^\s{m}]|[^\s{m}]){m}(?![A-Za-z0-9{m}])"
        )
        text = pattern.sub(lambda g: f"<{tag}>{g.group(1)}</{tag}>", text)
    return text


def mrkdwn(text):
    """Slack mrkdwn to HTML. Code (blocks and inline) is taken out first so nothing inside it
    is formatted; links are taken out next; the rest is escaped, then emphasised."""
    keep = []

    def code_block(m):
        body = m.group(1)
        body = body[1:] if body.startswith("\n") else body
        body = body[:-1] if body.endswith("\n") else body
        keep.append(f'<pre class="code-block">{plain_with_controls(body, keep)}</pre>')
        return PLACEHOLDER.format(len(keep) - 1)

    text = CODE_BLOCK.sub(code_block, text)

    def inline_code(m):
        keep.append(f"<code>{plain_with_controls(m.group(1), keep)}</code>")
        return PLACEHOLDER.format(len(keep) - 1)

    text = INLINE_CODE.sub(inline_code, text)
    text = emphasis(plain_with_controls(text, keep))
    # Placeholders can nest (a link inside code), so substitute until none is left.
    while "\x00" in text:
        text = re.sub(r"\x00(\d+)\x00", lambda m: keep[int(m.group(1))], text)
    return text


def plain_text(obj):
    return esc(unescape_slack(obj.get("text", "")))


def text_object(obj):
    if not isinstance(obj, dict):
        return ""
    if obj.get("type") == "mrkdwn":
        return mrkdwn(obj.get("text", ""))
    return plain_text(obj)


# ---------------------------------------------------------------------------------------
# Blocks


def button(el):
    style = el.get("style")
    cls = "button" + (f" button-{style}" if style in ("primary", "danger") else "")
    return f'<span class="{cls}">{plain_text(el.get("text", {}))}</span>'


def block_html(block):
    kind = block.get("type")
    if kind == "header":
        return f'<div class="block header">{plain_text(block.get("text", {}))}</div>'
    if kind == "section":
        parts = []
        if block.get("text"):
            parts.append(f'<div class="mrkdwn">{text_object(block["text"])}</div>')
        if block.get("fields"):
            cells = "".join(f'<div class="mrkdwn field">{text_object(f)}</div>' for f in block["fields"])
            parts.append(f'<div class="fields">{cells}</div>')
        acc = block.get("accessory")
        if isinstance(acc, dict) and acc.get("type") == "button":
            return f'<div class="block section with-accessory"><div>{"".join(parts)}</div>{button(acc)}</div>'
        return f'<div class="block section">{"".join(parts)}</div>'
    if kind == "actions":
        items = []
        for el in block.get("elements", []):
            if el.get("type") == "button":
                items.append(button(el))
            else:
                items.append(f'<span class="button">{esc(el.get("type", "element"))}</span>')
        return f'<div class="block actions">{"".join(items)}</div>'
    if kind == "context":
        items = []
        for el in block.get("elements", []):
            if el.get("type") == "image":
                items.append(f'<span class="context-image" title="{esc(el.get("alt_text", ""))}"></span>')
            else:
                items.append(f"<span>{text_object(el)}</span>")
        return f'<div class="block context">{"".join(items)}</div>'
    if kind == "divider":
        return '<div class="block divider"><hr></div>'
    if kind == "image":
        return f'<div class="block image">[image: {esc(block.get("alt_text", ""))}]</div>'
    return f'<div class="block unknown">[{esc(str(kind))} block]</div>'


def post_time(payload):
    """The time shown beside the app name: the event's own time from the payload if it has
    one (the alert is posted within seconds of it), else none."""
    found = re.search(r"\d{4}-\d\d-\d\dT(\d\d):(\d\d)", json.dumps(payload))
    if not found:
        return ""
    hour, minute = int(found.group(1)), int(found.group(2))
    return datetime.time(hour, minute).strftime("%I:%M %p").lstrip("0")


CSS = """
* { box-sizing: border-box; }
html, body { margin: 0; background: #ffffff; }
body {
  font-family: Lato, "Slack-Lato", "Helvetica Neue", "Noto Color Emoji", "DejaVu Sans", sans-serif;
  font-size: 15px; line-height: 1.46668; color: #1d1c1d;
  -webkit-font-smoothing: antialiased;
}
.message { display: flex; gap: 8px; padding: 14px 20px 8px 20px; }
.avatar {
  flex: none; width: 36px; height: 36px; border-radius: 6px; margin-top: 4px;
  background: linear-gradient(135deg, #ff9d2e, #e8590c);
  color: #fff; font: 900 13px/36px Lato, sans-serif; text-align: center; letter-spacing: .3px;
}
.content { flex: 1; min-width: 0; }
.meta { display: flex; align-items: baseline; gap: 4px; line-height: 22px; }
.name { font-weight: 900; }
.badge {
  font-size: 10px; font-weight: 700; line-height: 14px; padding: 0 3px; border-radius: 2px;
  background: rgba(29, 28, 29, .13); color: rgba(29, 28, 29, .7); position: relative; top: -1px;
}
.time { font-size: 12px; color: #616061; margin-left: 4px; }
.block { margin: 4px 0 8px 0; overflow-wrap: anywhere; }
.header { font-size: 18px; font-weight: 900; line-height: 1.33; margin-top: 6px; }
.mrkdwn { white-space: pre-wrap; }
.fields { display: grid; grid-template-columns: 1fr 1fr; column-gap: 16px; row-gap: 8px; }
.fields:not(:first-child) { margin-top: 8px; }
.with-accessory { display: flex; justify-content: space-between; gap: 16px; align-items: flex-start; }
b { font-weight: 700; }
a { color: #1264a3; text-decoration: none; }
code {
  font-family: Monaco, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12px;
  line-height: 18px; color: #e01e5a; padding: 2px 3px 1px; border-radius: 3px;
  background: rgba(29, 28, 29, .04); border: 1px solid rgba(29, 28, 29, .13);
}
.code-block {
  font-family: Monaco, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12px;
  line-height: 1.50001; margin: 4px 0; padding: 8px; border-radius: 4px;
  background: rgba(29, 28, 29, .04); border: 1px solid rgba(29, 28, 29, .13);
  white-space: pre-wrap; overflow-wrap: anywhere;
}
.mention { color: #1264a3; background: rgba(29, 155, 209, .1); border-radius: 3px; padding: 0 2px; }
.broadcast { color: #1d1c1d; background: rgba(242, 199, 68, .4); }
.actions { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 12px; margin-bottom: 10px; }
.button {
  display: inline-block; height: 28px; line-height: 26px; padding: 0 12px;
  font-size: 13px; font-weight: 700; color: #1d1c1d; background: #fff; white-space: nowrap;
  border: 1px solid rgba(29, 28, 29, .3); border-radius: 4px;
}
.button-primary { background: #007a5a; border-color: #007a5a; color: #fff; }
.button-danger { background: #fff; border-color: rgba(224, 30, 90, .6); color: #e01e5a; }
.context { font-size: 12px; line-height: 1.5; color: #616061; display: flex; flex-wrap: wrap; gap: 8px; }
.context code { font-size: 11px; padding: 1px 3px 0; }
.context-image { display: inline-block; width: 16px; height: 16px; border-radius: 3px; background: #ddd; }
.divider hr { border: 0; border-top: 1px solid rgba(29, 28, 29, .13); margin: 8px 0; }
.image, .unknown { color: #616061; font-style: italic; }
.edited { font-size: 12px; line-height: 18px; color: #616061; margin: -4px 0 4px 0; }
/* A thread: the parent as it reads now, then the thread pane under it, indented to the
   parent's text, its replies a size smaller (Slack's thread view). */
.thread {
  margin: 2px 20px 16px 64px; padding: 4px 0 6px 0;
  border: 1px solid rgba(29, 28, 29, .13); border-radius: 8px;
}
.reply-count {
  display: flex; align-items: center; gap: 12px; padding: 6px 16px 2px 16px;
  font-size: 13px; line-height: 18px; color: #616061;
}
.reply-count::after { content: ""; flex: 1; border-top: 1px solid rgba(29, 28, 29, .13); }
.thread .message { padding: 8px 16px 4px 16px; font-size: 14px; line-height: 1.43; }
.thread .avatar { width: 28px; height: 28px; border-radius: 5px; margin-top: 2px; font-size: 10px; line-height: 28px; }
.thread .header { font-size: 16px; margin-top: 4px; }
.thread code { font-size: 11px; line-height: 16px; }
.thread .code-block { font-size: 11px; }
.thread .button { height: 26px; line-height: 24px; font-size: 12px; }
.thread .context { font-size: 11px; }
.thread .context code { font-size: 10px; }
.with-note { flex-wrap: wrap; row-gap: 2px; }
.broadcast-note { flex-basis: 100%; padding-left: 36px; font-size: 12px; line-height: 16px; color: #616061; }
.broadcast-note .arrow { font-family: "DejaVu Sans", sans-serif; }  /* not the emoji one */
"""

MEASURE = """
<script>
  // preview.sh renders once to measure (chromium --dump-dom), then screenshots at this height.
  document.body.setAttribute("data-height",
    String(Math.ceil(document.querySelector(".preview").getBoundingClientRect().bottom)));
</script>
"""


def message(payload, when, edited=False, note=""):
    """One message as Slack lists it: avatar, name, time, its blocks (or its text)."""
    blocks = payload.get("blocks") or []
    if blocks:
        body = "\n".join(block_html(b) for b in blocks)
    else:
        body = f'<div class="block section"><div class="mrkdwn">{mrkdwn(payload.get("text", ""))}</div></div>'
    if edited:
        body += '\n<div class="edited">(edited)</div>'
    note = f'<div class="broadcast-note"><span class="arrow">↪</span> {esc(note)}</div>\n  ' if note else ""
    return f"""<div class="message{' with-note' if note else ''}">
  {note}<div class="avatar">ECS</div>
  <div class="content">
    <div class="meta"><span class="name">{esc(APP_NAME)}</span><span class="badge">APP</span>{f'<span class="time">{esc(when)}</span>' if when else ''}</div>
{body}
  </div>
</div>"""


def document(body):
    return f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{esc(APP_NAME)}</title><style>{CSS}</style></head>
<body>
<div class="preview">
{body}
</div>
{MEASURE}
</body>
</html>
"""


def page(payload):
    return document(message(payload, post_time(payload)))


def thread_page(parent, when, edited, replies):
    """The parent as it reads after its last chat.update, then the thread pane: "N replies",
    then each reply in order, a broadcast one marked as Slack marks it."""
    html_ = message(parent, when, edited)
    if replies:
        count = f'{len(replies)} {"reply" if len(replies) == 1 else "replies"}'
        items = "\n".join(
            message(r, post_time(r), note="Also sent to the channel" if r.get("reply_broadcast") else "")
            for r in replies
        )
        html_ += f'\n<div class="thread">\n<div class="reply-count">{count}</div>\n{items}\n</div>'
    return document(html_)


# ---------------------------------------------------------------------------------------
# Commands


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"{path} is not a PNG")
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def main(argv):
    if len(argv) == 5 and argv[1] == "html":
        _, _, source, step, out = argv
        if step == "thread" or step.startswith("thread:"):
            html_ = thread_page(*load_thread(source, step))
        else:
            html_ = page(load_payload(source, step))
        with open(out, "w", encoding="utf-8") as f:
            f.write(html_)
        return
    if len(argv) == 3 and argv[1] == "height":
        with open(argv[2], encoding="utf-8", errors="replace") as f:
            found = re.search(r'data-height="(\d+)"', f.read())
        if not found:
            sys.exit("chromium did not report the message's height")
        print(found.group(1))
        return
    if len(argv) == 3 and argv[1] == "png-size":
        print("{}x{}".format(*png_size(argv[2])))
        return
    sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
