"""Writes the page corpus of benchmarks/gating.py (the *.html files beside this one).

    python benchmarks/pages/make.py

Seven pages of the shapes sites have, built as their generators build them (a CMS
theme, a shop's component library, a docs generator, an ad-heavy news front), with
varied text from a fixed seed: the same bytes on every run, committed beside this
script. Each carries the third-party tags such a page has, marked (data-consent) or
not (the gate finds them by host, benchmarks/pages/policy.toml).
"""

from __future__ import annotations

import random
from pathlib import Path

HERE = Path(__file__).resolve().parent

WORDS = """
the of and to in a is that for it as was with be by on not he i this are or his from at which but have an they
you were her she there been one all we their has would when if so what out up more about into them no can said
time only its new some could these two may first then do any like my now over such our man me even most made
after also did many before must through back years where much your way well down should because each just those
people how too little state good very make world still own see men work long get here between both life being
under never day same another know while last might us great old year off come since against go came right used
take three himself few house use during without again place around however home small found thought went say
part once general high upon school every don does got united left number course war until always away something
fact though water less public put think almost hand enough far took head yet government system better set told
nothing night end why called didn eyes find going look asked later knew point next program city business give
group toward young days let room president side social given present several order national possible rather
second face per among form important often things looked early white case john become large big need four within
felt along children saw best church ever least power development light thought family interest want members
mind country area others done turned although open problem sense service began certain kind whole
""".split()  # noqa: SIM905 (a list literal of 200 words would read worse)
TOPICS = {
    "tech": "cloud platform api latency deploy cluster database query cache index schema rollout region failover "
    "container runtime kernel compiler release version module package dependency token session request response",
    "shop": "cotton linen wool merino organic relaxed tailored cropped oversized slim waterproof breathable "
    "stretch recycled vegan leather suede canvas knit denim twill jersey fleece padded quilted hooded",
    "news": "minister parliament council election budget inflation court ruling strike union hospital school "
    "police climate flood drought energy tariff export market shares investors report inquiry campaign",
}


class Text:
    def __init__(self, seed: int, topic: str) -> None:
        self.rng = random.Random(seed)
        self.topic = TOPICS[topic].split()

    def word(self) -> str:
        return self.rng.choice(self.topic) if self.rng.random() < 0.18 else self.rng.choice(WORDS)

    def words(self, n: int) -> str:
        return " ".join(self.word() for _ in range(n))

    def title(self, n: int = 5) -> str:
        return self.words(n).title()

    def sentence(self, lo: int = 8, hi: int = 24) -> str:
        s = self.words(self.rng.randint(lo, hi))
        return s[0].upper() + s[1:] + self.rng.choice([".", ".", ".", "?", "!"])

    def paragraph(self, lo: int = 3, hi: int = 7, links: int = 1) -> str:
        parts = [self.sentence() for _ in range(self.rng.randint(lo, hi))]
        for _ in range(links):
            i = self.rng.randrange(len(parts))
            w = self.words(self.rng.randint(1, 4))
            href = self.rng.choice([f"/{self.slug()}", f"/{self.slug()}/{self.slug()}",
                                    f"https://www.{self.word()}{self.word()}.org/{self.slug()}"])
            parts[i] = parts[i][:-1] + f' <a href="{href}">{w}</a>' + parts[i][-1]
        for _ in range(self.rng.randint(0, 2)):
            i = self.rng.randrange(len(parts))
            tag = self.rng.choice(["strong", "em", "code", "mark"])
            parts[i] = f"<{tag}>{self.words(2)}</{tag}> " + parts[i]
        return " ".join(parts)

    def slug(self, n: int = 3) -> str:
        return "-".join(self.word() for _ in range(n))

    def hexid(self, n: int = 8) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def num(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)


def head(title: str, css: str, extra: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<meta name="description" content="{title} &mdash; read more at Northwind.">
<meta property="og:title" content="{title}">
<meta property="og:image" content="https://cdn.northwind.test/og/{sum(title.encode()) % 99999}.jpg">
<meta name="twitter:card" content="summary_large_image">
<link rel="canonical" href="https://www.northwind.test/">
<link rel="preconnect" href="https://cdn.northwind.test" crossorigin>
<link rel="preload" href="https://fonts.northwind.test/inter-var.woff2" as="font" type="font/woff2" crossorigin>
<link rel="stylesheet" href="https://cdn.northwind.test/css/main.4f9a1c.css">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>{css}</style>
{extra}
</head>
"""


GTM = """<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':
new Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0],
j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;j.src=
'https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);
})(window,document,'script','dataLayer','GTM-N7W4KX2');</script>"""
GA = """<script async src="https://www.googletagmanager.com/gtag/js?id=G-4H7ZQ1XK9P"></script>
<script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);}
gtag('js', new Date()); gtag('config', 'G-4H7ZQ1XK9P', { anonymize_ip: true });</script>"""
FB = """<script>!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?
n.callMethod.apply(n,arguments):n.queue.push(arguments)};if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';
n.queue=[];t=b.createElement(e);t.async=!0;t.src=v;s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)}
(window, document,'script','https://connect.facebook.net/en_US/fbevents.js');
fbq('init', '4419283746120938'); fbq('track', 'PageView');</script>
<noscript><img height="1" width="1" style="display:none" src="https://www.facebook.com/tr?id=4419283746120938&ev=PageView&noscript=1"></noscript>"""
HOTJAR = """<script type="text/plain" data-consent="analytics">(function(h,o,t,j,a,r){h.hj=h.hj||function(){(h.hj.q=h.hj.q||[]).push(arguments)};
h._hjSettings={hjid:3120948,hjsv:6};a=o.getElementsByTagName('head')[0];r=o.createElement('script');r.async=1;
r.src=t+h._hjSettings.hjid+j+h._hjSettings.hjsv;a.appendChild(r);})(window,document,'https://static.hotjar.com/c/hotjar-','.js?sv=');</script>"""
INTERCOM = """<script data-consent="functional" type="text/plain">window.intercomSettings = { api_base: "https://api-iam.intercom.io", app_id: "q7x2k9ab" };
(function(){var w=window;var ic=w.Intercom;if(typeof ic==="function"){ic('update',w.intercomSettings);}else{var d=document;
var i=function(){i.c(arguments);};i.q=[];i.c=function(args){i.q.push(args);};w.Intercom=i;var l=function(){var s=d.createElement('script');
s.type='text/javascript';s.async=true;s.src='https://widget.intercom.io/widget/q7x2k9ab';var x=d.getElementsByTagName('script')[0];
x.parentNode.insertBefore(s,x);};if(document.readyState==='complete'){l();}else{w.addEventListener('load',l,false);}}})();</script>"""


def svg_icon(t: Text, name: str) -> str:
    d = " ".join(
        f"{t.rng.choice('MLCQ')}{t.num(0, 24)}.{t.num(0, 99)} {t.num(0, 24)}.{t.num(0, 99)}" for _ in range(t.num(3, 9))
    )
    return (f'<svg class="icon icon-{name}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24"'
            f' fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true"><path d="{d}z"/></svg>')


def css(t: Text, rules: int) -> str:
    props = ["display:flex", "display:grid", "gap:1rem", "margin:0 auto", "padding:.5rem 1rem", "color:#1f2937",
             "font-weight:600", "line-height:1.5", "border-radius:.375rem", "max-width:72rem",
             "grid-template-columns:repeat(auto-fill,minmax(16rem,1fr))", "align-items:center",
             "background:linear-gradient(90deg,#4f46e5,#7c3aed)", "transition:opacity .2s ease-in-out",
             "box-shadow:0 1px 3px rgba(0,0,0,.12)", "position:sticky", "top:0", "z-index:40"]
    out = []
    for _ in range(rules):
        sel = f".{t.word()}-{t.word()}" + t.rng.choice(["", " > a", ":hover", " .title", "::after"])
        out.append(sel + "{" + ";".join(t.rng.sample(props, t.num(2, 5))) + "}")
    return "\n".join(out)


def nav(t: Text, items: int, sub: int) -> str:
    lis = []
    for _ in range(items):
        subs = "".join(f'<li><a href="/{t.slug(2)}/{t.slug(2)}" class="menu__link">{t.title(2)}</a></li>'
                       for _ in range(sub))
        lis.append(f'<li class="menu__item menu__item--has-children"><a href="/{t.slug(2)}" aria-haspopup="true">'
                   f'{t.title(1)}</a><ul class="menu__sub" role="menu">{subs}</ul></li>')
    return f'<nav class="site-nav" aria-label="Primary"><ul class="menu">{"".join(lis)}</ul></nav>'


def footer(t: Text, cols: int) -> str:
    columns = "".join(
        f'<div class="footer__col"><h3>{t.title(2)}</h3><ul>'
        + "".join(f'<li><a href="/{t.slug(2)}">{t.title(t.num(1, 3))}</a></li>' for _ in range(t.num(4, 8)))
        + "</ul></div>"
        for _ in range(cols)
    )
    return (f'<footer class="site-footer"><div class="footer__grid">{columns}</div>'
            '<p class="legal">&copy; 2026 Northwind Media Ltd. <a href="/privacy">Privacy</a> &middot; '
            '<a href="/consentkit/preferences" data-consentkit-action="preferences">Cookie settings</a></p></footer>')


def picture(t: Text, w: int, h: int) -> str:
    name = t.slug(2) + "-" + t.hexid(6)
    srcset = ", ".join(f"https://cdn.northwind.test/img/{name}-{x}w.webp {x}w" for x in (480, 768, 1200, 1600))
    return (f'<picture><source type="image/avif" srcset="{srcset.replace(".webp", ".avif")}" sizes="(min-width: 64em) 50vw, 100vw">'
            f'<img src="https://cdn.northwind.test/img/{name}-1200w.webp" srcset="{srcset}" sizes="(min-width: 64em) 50vw, 100vw"'
            f' alt="{t.sentence(4, 9)[:-1]}" width="{w}" height="{h}" loading="lazy" decoding="async"></picture>')


# -- the pages ----------------------------------------------------------------------


def plan_items(t: Text) -> str:
    return "".join(f"<li>{svg_icon(t, 'check')} {t.words(t.num(3, 7))}</li>" for _ in range(7))


def landing() -> str:
    t = Text(1, "tech")
    features = "".join(
        f'<div class="feature"><span class="feature__icon">{svg_icon(t, t.word())}</span><h3>{t.title(3)}</h3>'
        f"<p>{t.sentence(12, 26)}</p></div>" for _ in range(9)
    )
    quotes = "".join(
        f'<figure class="testimonial"><blockquote><p>&ldquo;{t.sentence(14, 30)}&rdquo;</p></blockquote>'
        f'<figcaption><img src="https://cdn.northwind.test/people/{t.hexid()}.jpg" alt="" width="48" height="48">'
        f"<cite>{t.title(2)}</cite>, {t.title(2)} at {t.title(1)}</figcaption></figure>" for _ in range(6)
    )
    plans = "".join(
        f'<div class="plan{" plan--featured" if i == 1 else ""}"><h3>{name}</h3><p class="price"><span>$</span>{price}'
        f'<small>/month</small></p><ul>{plan_items(t)}</ul>'
        f'<a class="btn btn--{"primary" if i == 1 else "outline"}" href="/signup?plan={name.lower()}">Start free trial</a></div>'
        for i, (name, price) in enumerate((("Starter", 19), ("Team", 49), ("Business", 129)))
    )
    faq = "".join(f"<details><summary>{t.sentence(5, 10)}</summary><p>{t.paragraph(2, 4)}</p></details>"
                  for _ in range(10))
    logos = "".join(f'<li><img src="https://cdn.northwind.test/logos/{t.word()}.svg" alt="{t.title(1)}" height="28"></li>'
                    for _ in range(12))
    body = f"""<body class="page-landing">
<noscript><iframe src="https://www.googletagmanager.com/ns.html?id=GTM-N7W4KX2" height="0" width="0" style="display:none;visibility:hidden"></iframe></noscript>
<header class="site-header"><a class="logo" href="/">{svg_icon(t, "logo")}<span>Northwind Cloud</span></a>{nav(t, 6, 5)}
<a class="btn btn--primary" href="/signup">Get started</a></header>
<main>
<section class="hero"><h1>{t.title(6)}</h1><p class="lead">{t.sentence(18, 30)}</p>
<form class="hero__form" action="/signup" method="post"><label for="email" class="sr-only">Work e-mail</label>
<input type="email" id="email" name="email" placeholder="you@company.com" autocomplete="email" required>
<button class="btn btn--primary" type="submit">Start free</button></form>{picture(t, 1200, 720)}</section>
<section class="logos"><h2 class="eyebrow">Trusted by teams at</h2><ul class="logos__list">{logos}</ul></section>
<section class="features" id="features"><h2>{t.title(4)}</h2><div class="features__grid">{features}</div></section>
<section class="video"><h2>{t.title(5)}</h2>
<iframe width="560" height="315" src="https://www.youtube-nocookie.com/embed/Xq9Lk2mP0aB" title="Product tour" frameborder="0" allow="accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture" allowfullscreen></iframe></section>
<section class="testimonials"><h2>{t.title(3)}</h2>{quotes}</section>
<section class="pricing" id="pricing"><h2>{t.title(3)}</h2><div class="plans">{plans}</div></section>
<section class="faq"><h2>Frequently asked questions</h2>{faq}</section>
<section class="cta"><h2>{t.title(5)}</h2><p>{t.sentence()}</p><a class="btn btn--primary" href="/signup">Get started</a></section>
</main>
{footer(t, 5)}
{INTERCOM}
{HOTJAR}
</body>
</html>
"""
    ld = ('<script type="application/ld+json">{"@context":"https://schema.org","@type":"SoftwareApplication",'
          '"name":"Northwind Cloud","offers":{"@type":"Offer","price":"19.00","priceCurrency":"USD"}}</script>')
    return head("Northwind Cloud &ndash; " + t.title(4), css(t, 90), GTM + "\n" + ld + "\n" + FB) + body


def article() -> str:
    t = Text(2, "news")
    paras = []
    for i in range(64):
        paras.append(f"<p>{t.paragraph(3, 7, links=t.num(0, 2))}</p>")
        if i % 9 == 4:
            paras.append(f'<figure class="article__figure">{picture(t, 1200, 800)}<figcaption>{t.sentence()} '
                         f'<span class="credit">Photo: {t.title(2)}</span></figcaption></figure>')
        if i % 13 == 7:
            paras.append(f'<aside class="pullquote"><blockquote>&ldquo;{t.sentence(10, 20)}&rdquo;</blockquote></aside>')
        if i % 16 == 10:
            paras.append(f"<h2>{t.title(6)}</h2>")
        if i == 20:
            paras.append('<div class="embed embed--video"><iframe src="https://www.youtube.com/embed/d9Tq3hV7kLw?rel=0" '
                         'width="640" height="360" title="Video" allow="autoplay; encrypted-media; picture-in-picture" '
                         'allowfullscreen loading="lazy"></iframe></div>')
        if i == 31:
            paras.append(f'<blockquote class="twitter-tweet" data-dnt="true"><p lang="en" dir="ltr">{t.sentence()}</p>'
                         f'&mdash; {t.title(2)} (@{t.word()}{t.word()}) <a href="https://twitter.com/x/status/'
                         f'{t.num(10**17, 10**18)}">December 1, 2026</a></blockquote>'
                         '<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>')
        if i in (12, 40):
            paras.append(f'<div class="ad ad--inarticle" id="div-gpt-ad-{t.num(10**12, 10**13)}-{i}" '
                         'data-ad-slot="article_mid" style="min-height:250px"></div>')
    comments = "".join(
        f'<li class="comment" id="c{t.num(10000, 99999)}"><div class="comment__meta"><img class="avatar" '
        f'src="https://cdn.northwind.test/avatars/{t.hexid()}.png" alt="" width="32" height="32"><b>{t.title(2)}</b> '
        f'<time datetime="2026-12-0{t.num(1, 2)}T{t.num(10, 23)}:{t.num(10, 59)}">{t.num(1, 23)} hours ago</time></div>'
        f"<p>{t.paragraph(1, 3, links=0)}</p><button class=\"comment__reply\" data-id=\"{t.hexid()}\">Reply</button></li>"
        for _ in range(24)
    )
    related = "".join(
        f'<li><a href="/news/{t.slug(5)}">{picture(t, 320, 180)}<h3>{t.title(8)}</h3></a></li>' for _ in range(8)
    )
    body = f"""<body class="article-page">
<header class="masthead"><a href="/" class="masthead__logo">{svg_icon(t, "logo")} Northwind</a>{nav(t, 9, 6)}</header>
<main id="content"><article class="article" itemscope itemtype="https://schema.org/NewsArticle">
<header class="article__header"><p class="kicker"><a href="/news/{t.word()}">{t.title(1)}</a></p>
<h1 itemprop="headline">{t.title(11)}</h1><p class="standfirst">{t.sentence(20, 34)}</p>
<p class="byline">By <a rel="author" href="/people/{t.slug(2)}">{t.title(2)}</a> &middot;
<time itemprop="datePublished" datetime="2026-12-02T06:00:00Z">2 December 2026</time></p>
{picture(t, 1600, 900)}</header>
<div class="article__body" itemprop="articleBody">
{chr(10).join(paras)}
</div></article>
<section class="comments"><h2>Comments ({24})</h2><ol>{comments}</ol></section>
<section class="related"><h2>More on this story</h2><ul>{related}</ul></section>
<div id="taboola-below-article-thumbnails"></div>
<script type="text/javascript">window._taboola = window._taboola || []; _taboola.push({{mode: 'thumbnails-a',
container: 'taboola-below-article-thumbnails', placement: 'Below Article Thumbnails', target_type: 'mix'}});</script>
<script async src="https://cdn.taboola.com/libtrc/northwind/loader.js" id="tb_loader_script"></script>
</main>
{footer(t, 6)}
</body>
</html>
"""
    gpt = ('<script async src="https://securepubads.g.doubleclick.net/tag/js/gpt.js"></script>\n'
           '<script>window.googletag = window.googletag || {cmd: []}; googletag.cmd.push(function() {'
           ' googletag.defineSlot("/2190485/article_mid", [[300, 250], [336, 280]], "div-gpt-ad-1").addService(googletag.pubads());'
           ' googletag.pubads().enableSingleRequest(); googletag.enableServices(); });</script>')
    return head(t.title(9) + " | Northwind", css(t, 60), GA + "\n" + gpt) + body


def listing() -> str:
    t = Text(3, "shop")
    colours = ["black", "navy", "olive", "sand", "rust", "grey", "cream", "forest", "burgundy", "sky"]
    cards = []
    for i in range(72):
        name = t.title(t.num(2, 4))
        price = t.num(19, 240)
        sale = t.rng.random() < 0.3
        swatches = "".join(
            f'<li><button class="swatch swatch--{c}" aria-label="{c}" data-variant="{t.num(10**9, 10**10)}"></button></li>'
            for c in t.rng.sample(colours, t.num(1, 5))
        )
        stars = t.num(30, 50) / 10
        cards.append(f"""<li class="grid__item" data-product-id="{t.num(10**9, 10**10)}" data-price="{price}00">
<div class="card card--product group relative flex flex-col overflow-hidden rounded-lg border border-gray-200 bg-white">
<a href="/products/{t.slug(3)}" class="card__media aspect-h-4 aspect-w-3 bg-gray-200 sm:aspect-none group-hover:opacity-75 sm:h-96">
<img src="https://cdn.northwind.test/shop/{t.hexid(12)}_600x.jpg?v={t.num(10**9, 10**10)}" srcset="https://cdn.northwind.test/shop/{t.hexid(12)}_360x.jpg 360w, https://cdn.northwind.test/shop/{t.hexid(12)}_600x.jpg 600w" sizes="(min-width: 1024px) 25vw, 50vw" alt="{name}" class="h-full w-full object-cover object-center sm:h-full sm:w-full" loading="{"eager" if i < 4 else "lazy"}" width="600" height="800"></a>
<div class="flex flex-1 flex-col space-y-2 p-4"><h3 class="text-sm font-medium text-gray-900"><a href="/products/{t.slug(3)}">{name}</a></h3>
<p class="text-sm text-gray-500">{t.sentence(6, 14)}</p>
<div class="rating flex items-center" aria-label="{stars} out of 5 stars">{"".join('<svg class="h-4 w-4 flex-shrink-0 text-yellow-400" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true"><use href="#icon-star"></use></svg>' for _ in range(int(stars)))}<span class="ml-1 text-xs text-gray-500">({t.num(3, 900)})</span></div>
<ul class="swatches flex gap-1">{swatches}</ul>
<div class="flex flex-1 flex-col justify-end"><p class="text-base font-medium text-gray-900">{f'<s class="text-gray-400">&pound;{price + t.num(5, 40)}.00</s> ' if sale else ""}&pound;{price}.00</p></div>
<form method="post" action="/cart/add" class="add-to-cart"><input type="hidden" name="id" value="{t.num(10**9, 10**10)}"><button type="submit" class="btn btn--small">Add to bag</button></form>
</div></div></li>""")
        if i == 23:
            cards.append('<li class="grid__item grid__item--promo"><div class="ad" id="div-gpt-ad-listing-1"></div></li>')
    filters = "".join(
        f'<fieldset class="filter"><legend>{t.title(1)}</legend>'
        + "".join(f'<label><input type="checkbox" name="filter.{t.word()}" value="{t.word()}"> {t.title(1)} '
                  f'<span class="count">({t.num(1, 200)})</span></label>' for _ in range(t.num(4, 10)))
        + "</fieldset>" for _ in range(7)
    )
    state = ",".join(f'{{"id":{t.num(10**9, 10**10)},"title":"{t.title(3)}","price":{t.num(1900, 24000)},'
                     f'"available":{str(t.rng.random() < 0.9).lower()},"vendor":"{t.title(1)}"}}' for _ in range(72))
    body = f"""<body class="template-collection">
<svg xmlns="http://www.w3.org/2000/svg" style="display:none"><symbol id="icon-star" viewBox="0 0 20 20"><path d="M9.049 2.927c.3-.921 1.603-.921 1.902 0l1.07 3.292a1 1 0 00.95.69h3.462c.969 0 1.371 1.24.588 1.81l-2.8 2.034a1 1 0 00-.364 1.118l1.07 3.292c.3.921-.755 1.688-1.54 1.118l-2.8-2.034a1 1 0 00-1.175 0l-2.8 2.034c-.784.57-1.838-.197-1.539-1.118l1.07-3.292a1 1 0 00-.364-1.118L2.98 8.72c-.783-.57-.38-1.81.588-1.81h3.461a1 1 0 00.951-.69l1.07-3.292z"/></symbol></svg>
<div class="announcement-bar" role="region">Free delivery over &pound;50 &middot; 60-day returns</div>
<header class="header">{nav(t, 8, 8)}<form action="/search" class="search"><input type="search" name="q" placeholder="Search"></form>
<a href="/cart" class="cart-link">Bag (<span data-cart-count>0</span>)</a></header>
<main class="collection mx-auto max-w-7xl px-4 sm:px-6 lg:px-8"><nav class="breadcrumbs"><a href="/">Home</a> / <a href="/collections">Shop</a> / {t.title(1)}</nav>
<h1 class="text-3xl font-bold tracking-tight text-gray-900">{t.title(3)}</h1><p>{t.sentence(14, 26)}</p>
<div class="collection__layout"><aside class="filters"><form action="/collections/all" method="get">{filters}</form></aside>
<ul class="grid grid-cols-2 gap-x-4 gap-y-10 sm:gap-x-6 md:grid-cols-3 md:gap-y-0 lg:gap-x-8" role="list">
{chr(10).join(cards)}
</ul></div>
<nav class="pagination" aria-label="Pagination">{"".join(f'<a href="?page={p}">{p}</a>' for p in range(1, 9))}</nav>
</main>
{footer(t, 4)}
<script type="application/json" id="collection-data">[{state}]</script>
<script>var criteo_q = criteo_q || []; criteo_q.push({{ event: "setAccount", account: 48213 }}, {{ event: "viewList", item: ["1", "2", "3"] }});</script>
<script type="text/javascript" src="https://static.criteo.net/js/ld/ld.js" async="true"></script>
<img src="https://dynamic.criteo.com/m/event?a=48213&e=vl" width="1" height="1" alt="" style="display:none">
</body>
</html>
"""
    return head(t.title(3) + " &ndash; Northwind Store", css(t, 40), GA + "\n" + FB) + body


def _code(t: Text, lines: int) -> str:
    kw = ["async", "def", "return", "await", "import", "from", "class", "if", "for", "in", "with", "yield"]
    out = []
    for _ in range(lines):
        indent = "    " * t.num(0, 2)
        parts = [indent]
        for _ in range(t.num(2, 6)):
            r = t.rng.random()
            if r < 0.2:
                parts.append(f'<span class="k">{t.rng.choice(kw)}</span>')
            elif r < 0.35:
                parts.append(f'<span class="s">&quot;{t.words(t.num(1, 3))}&quot;</span>')
            elif r < 0.45:
                parts.append(f'<span class="mi">{t.num(0, 4096)}</span>')
            elif r < 0.55:
                parts.append(f'<span class="o">{t.rng.choice(["=", "&lt;", "&gt;", "&amp;", "-&gt;", "=="])}</span>')
            else:
                parts.append(f'<span class="n">{t.word()}_{t.word()}</span>')
            parts.append(t.rng.choice([" ", "(", ".", ", ", "): "]))
        if t.rng.random() < 0.15:
            parts.append(f'<span class="c1"># {t.words(t.num(3, 9))}</span>')
        out.append("".join(parts))
    return "\n".join(out)


def docs() -> str:
    t = Text(4, "tech")
    tree = "".join(
        f'<li class="toctree-l1"><a class="reference internal" href="/{t.slug(2)}.html">{t.title(2)}</a><ul>'
        + "".join(f'<li class="toctree-l2"><a class="reference internal" href="/{t.slug(2)}.html#{t.slug(2)}">'
                  f"{t.title(t.num(1, 4))}</a></li>" for _ in range(t.num(3, 8)))
        + "</ul></li>" for _ in range(14)
    )
    sections = []
    for i in range(22):
        sid = t.slug(2)
        block = [f'<section id="{sid}"><h2>{t.title(4)}<a class="headerlink" href="#{sid}" title="Link to this heading">&para;</a></h2>']
        for _ in range(t.num(1, 3)):
            block.append(f"<p>{t.paragraph(2, 5)}</p>")
        block.append(f'<div class="highlight-python notranslate"><div class="highlight"><pre><span></span>{_code(t, t.num(6, 22))}\n</pre></div></div>')
        if i % 4 == 2:
            block.append(f'<div class="admonition note"><p class="admonition-title">Note</p><p>{t.paragraph(1, 3)}</p></div>')
        if i % 5 == 1:
            rows = "".join(f"<tr><td><code class=\"docutils literal\"><span class=\"pre\">{t.word()}_{t.word()}</span></code></td>"
                           f"<td>{t.rng.choice(['str', 'int', 'bool', 'float', 'list[str]'])}</td><td>{t.sentence(5, 12)}</td></tr>"
                           for _ in range(t.num(3, 8)))
            block.append(f'<table class="docutils align-default"><thead><tr><th>Name</th><th>Type</th><th>Description</th></tr></thead><tbody>{rows}</tbody></table>')
        block.append("</section>")
        sections.append("".join(block))
    body = f"""<body class="wy-body-for-nav">
<div class="wy-grid-for-nav"><nav data-toggle="wy-nav-shift" class="wy-nav-side"><div class="wy-side-scroll">
<div class="wy-side-nav-search"><a href="/" class="icon icon-home">Northwind SDK</a><div class="version">4.2</div>
<div id="docsearch"></div></div>
<div class="wy-menu wy-menu-vertical" role="navigation" aria-label="Navigation menu"><ul class="current">{tree}</ul></div></div></nav>
<section data-toggle="wy-nav-shift" class="wy-nav-content-wrap"><div class="wy-nav-content"><div class="rst-content">
<div role="navigation" aria-label="Page navigation"><ul class="wy-breadcrumbs"><li><a href="/">Docs</a> &raquo;</li><li>{t.title(2)}</li></ul></div>
<div class="document" itemscope="itemscope" itemtype="http://schema.org/Article"><div itemprop="articleBody">
<h1>{t.title(3)}</h1><p>{t.paragraph(3, 5)}</p>
{chr(10).join(sections)}
</div></div>
<footer><div class="rst-footer-buttons"><a href="/{t.slug(2)}.html" class="btn btn-neutral float-left" rel="prev">Previous</a>
<a href="/{t.slug(2)}.html" class="btn btn-neutral float-right" rel="next">Next</a></div>
<p>&copy; Copyright 2026, Northwind.</p></footer></div></div></section></div>
<script src="https://cdn.jsdelivr.net/npm/@docsearch/js@3"></script>
<script type="text/javascript">docsearch({{ container: '#docsearch', appId: 'BH4D9OD16A', indexName: 'northwind', apiKey: '0f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c' }});</script>
<script src="/_static/searchtools.js"></script><script src="/_static/theme.js"></script>
</body>
</html>
"""
    plausible = '<script defer data-domain="docs.northwind.test" src="https://plausible.io/js/script.js"></script>'
    return head(t.title(3) + " &mdash; Northwind SDK 4.2 documentation", css(t, 30), plausible) + body


def svg_heavy() -> str:
    t = Text(5, "tech")

    def chart(points: int) -> str:
        xs = sorted(t.num(0, 6000) / 10 for _ in range(points))
        path = "M" + " L".join(f"{x:.1f},{t.num(200, 3000) / 10:.1f}" for x in xs)
        ticks = "".join(f'<g class="tick" transform="translate({x * 60},0)"><line y2="6" stroke="currentColor"></line>'
                        f'<text y="9" dy="0.71em" fill="currentColor">{t.num(1, 31)} Nov</text></g>' for x in range(10))
        bars = "".join(f'<rect x="{i * 24 + 4}" y="{(h := t.num(20, 280))}" width="18" height="{300 - h}" rx="2" '
                       f'fill="url(#g{t.num(1, 3)})"><title>{t.num(100, 9999)} requests</title></rect>' for i in range(t.num(12, 24)))
        return (f'<figure class="chart"><svg viewBox="0 0 600 340" role="img" aria-label="{t.title(3)}" '
                f'xmlns="http://www.w3.org/2000/svg"><defs><linearGradient id="g{t.num(1, 3)}" x1="0" x2="0" y1="0" y2="1">'
                f'<stop offset="0%" stop-color="#6366f1"/><stop offset="100%" stop-color="#a5b4fc"/></linearGradient></defs>'
                f'<g class="bars">{bars}</g><path class="line" d="{path}" fill="none" stroke="#f97316" stroke-width="2"/>'
                f'<g class="x-axis" transform="translate(0,300)">{ticks}</g></svg>'
                f"<figcaption>{t.sentence(6, 14)}</figcaption></figure>")

    def illustration() -> str:
        shapes = []
        for _ in range(t.num(20, 40)):
            pts = " ".join(f"{c}{t.num(0, 4000) / 10:.1f},{t.num(0, 3000) / 10:.1f}" for c in "MCCCQ")
            shapes.append(f'<path d="{pts}Z" fill="#{t.hexid(6)}" opacity="0.{t.num(3, 9)}"/>')
        return f'<svg class="illustration" viewBox="0 0 400 300" xmlns="http://www.w3.org/2000/svg" aria-hidden="true">{"".join(shapes)}</svg>'

    blocks = []
    for i in range(16):
        blocks.append(f"<section class=\"panel\"><h2>{svg_icon(t, 'chart')} {t.title(3)}</h2><p>{t.paragraph(1, 3)}</p>"
                      f"{chart(t.num(40, 90))}</section>")
        if i % 3 == 0:
            blocks.append(f'<div class="hero-art">{illustration()}</div>')
        if i == 6:
            blocks.append('<img src="https://pixel.northwind.test/v.gif" width="1" height="1" alt="">'
                          '<img data-consent="analytics" data-src="https://www.google-analytics.com/collect?v=2&t=pageview" width="1" height="1" alt="">')
    icons = "".join(f'<li><a href="/{t.slug(1)}">{svg_icon(t, t.word())}<span>{t.title(1)}</span></a></li>' for _ in range(40))
    body = f"""<body class="dashboard">
<aside class="sidebar"><ul class="sidebar__nav">{icons}</ul></aside>
<main class="report"><h1>{t.title(5)}</h1><p class="lead">{t.sentence(16, 28)}</p>
{chr(10).join(blocks)}
<section class="help"><h2>Need help?</h2><p>{t.sentence()}</p>
<iframe src="https://www.youtube.com/embed/p4Zk8LqW3sE" width="560" height="315" title="Walkthrough" allowfullscreen></iframe></section>
</main>
{footer(t, 3)}
{INTERCOM}
</body>
</html>
"""
    return head(t.title(4) + " &ndash; Northwind Status Report", css(t, 25), GTM + "\n" + HOTJAR) + body


def ads() -> str:
    t = Text(6, "news")
    slots = []
    stories = []
    for i in range(48):
        kind = t.rng.choice(["lead", "medium", "small", "small", "list"])
        if kind == "list":
            stories.append('<ul class="headlines">' + "".join(
                f'<li><a href="/news/{t.slug(5)}">{t.title(t.num(6, 12))}</a></li>' for _ in range(t.num(4, 7))) + "</ul>")
        else:
            pic = picture(t, 640, 360) if kind != "small" else ""
            stories.append(f'<article class="story story--{kind}"><a href="/news/{t.slug(5)}" class="story__link">{pic}'
                           f'<h3 class="story__headline">{t.title(t.num(6, 13))}</h3></a>'
                           f'<p class="story__summary">{t.sentence(12, 26)}</p><span class="story__tag">{t.title(1)}</span></article>')
        if i % 4 == 3:
            n = len(slots)
            sizes = t.rng.choice(["[[300, 250], [300, 600]]", "[[728, 90], [970, 250]]", "[[320, 50], [300, 250]]"])
            slot = f"div-gpt-ad-{t.num(10**12, 10**13)}-{n}"
            slots.append((slot, sizes))
            stories.append(
                f'<div class="ad-slot ad-slot--{t.rng.choice(["mpu", "leaderboard", "halfpage"])}" data-slot="{n}">'
                f'<span class="ad-slot__label">Advertisement</span><div id="{slot}" style="min-width:300px;min-height:250px;">'
                f"<script>googletag.cmd.push(function() {{ googletag.display('{slot}'); }});</script></div></div>")
        if i % 12 == 8:
            stories.append(
                f'<div class="native-ad"><script type="text/javascript">(function() {{ var s = document.createElement("script");'
                f' s.src = "https://cdn.prebid.example-exchange.test/native.js?pid={t.num(1000, 9999)}&w=" + window.innerWidth;'
                f' s.async = true; document.currentScript.parentNode.appendChild(s); }})();</script></div>')
        if i % 16 == 5:
            stories.append(f'<iframe src="https://tpc.googlesyndication.com/safeframe/1-0-40/html/container.html?n={i}" '
                           'width="300" height="250" scrolling="no" frameborder="0" title="Advertisement"></iframe>')
        if i == 30:
            stories.append('<img src="https://googleads.g.doubleclick.net/pagead/viewthroughconversion/9283746/?value=0&guid=ON&script=0" '
                           'width="1" height="1" style="border-style:none" alt="">')
    defines = "\n".join(
        f'  googletag.defineSlot("/2190485/front/{i}", {sizes}, "{slot}").setTargeting("pos", "{i}").addService(googletag.pubads());'
        for i, (slot, sizes) in enumerate(slots)
    )
    gpt = f"""<script async src="https://securepubads.g.doubleclick.net/tag/js/gpt.js"></script>
<script async src="https://c.amazon-adsystem.com/aax2/apstag.js"></script>
<script>!function(a9,a,p,s,t,A,g){{if(a[a9])return;function q(c,r){{a[a9]._Q.push([c,r])}}a[a9]={{init:function(){{q("i",arguments)}},fetchBids:function(){{q("f",arguments)}},setDisplayBids:function(){{}},targetingKeys:function(){{return[]}},_Q:[]}};A=p.createElement(s);A.async=!0;A.src=t;g=p.getElementsByTagName(s)[0];g.parentNode.insertBefore(A,g)}}("apstag",window,document,"script","//c.amazon-adsystem.com/aax2/apstag.js");</script>
<script async src="https://cdn.prebid.example-exchange.test/prebid8.js"></script>
<script>
var PREBID_TIMEOUT = 1000; var pbjs = pbjs || {{}}; pbjs.que = pbjs.que || [];
window.googletag = window.googletag || {{cmd: []}};
googletag.cmd.push(function() {{
{defines}
  googletag.pubads().enableSingleRequest(); googletag.pubads().disableInitialLoad(); googletag.enableServices();
}});
</script>"""
    body = f"""<body class="front">
<div class="ad-slot ad-slot--top"><div id="div-gpt-ad-top" style="min-height:90px"><script>googletag.cmd.push(function() {{ googletag.display('div-gpt-ad-top'); }});</script></div></div>
<header class="masthead"><a href="/" class="logo">{svg_icon(t, "logo")} Northwind News</a>{nav(t, 10, 7)}
<div class="weather" data-city="{t.title(1)}">{t.num(-5, 30)}&deg;C</div></header>
<main class="front-page"><h1 class="sr-only">Northwind News</h1>
{chr(10).join(stories)}
</main>
{footer(t, 6)}
{FB}
<script async src="https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js?client=ca-pub-2847561029384756" crossorigin="anonymous"></script>
</body>
</html>
"""
    return head("Northwind News &ndash; " + t.title(6), css(t, 50), GA + "\n" + gpt) + body


def blog_index() -> str:
    """Small and compressible: where GZip itself is cheapest."""
    t = Text(7, "tech")
    posts = "".join(
        f'<article class="post-card"><a href="/blog/{t.slug(4)}"><h2>{t.title(t.num(4, 9))}</h2></a>'
        f'<p class="meta"><time datetime="2026-11-{t.num(10, 30)}">{t.num(1, 30)} Nov 2026</time> &middot; {t.num(3, 14)} min read</p>'
        f"<p>{t.sentence(14, 28)}</p></article>" for _ in range(34)
    )
    body = f"""<body class="blog">
<header class="site-header"><a class="logo" href="/">Northwind Engineering</a>{nav(t, 4, 0)}</header>
<main class="posts"><h1>Engineering blog</h1>
{posts}
<nav class="pager"><a href="/blog/page/2" rel="next">Older posts</a></nav></main>
{footer(t, 3)}
</body>
</html>
"""
    return head("Engineering blog &ndash; Northwind", css(t, 12), GA) + body


PAGES = {
    "landing": landing, "article": article, "listing": listing, "docs": docs,
    "svg": svg_heavy, "ads": ads, "blog": blog_index,
}


def main() -> None:
    for name, make in PAGES.items():
        html = make()
        (HERE / f"{name}.html").write_text(html, encoding="utf-8")
        print(f"{name:8s} {len(html.encode()) / 1000:6.1f} KB")


if __name__ == "__main__":
    main()
