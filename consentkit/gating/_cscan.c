/* consentkit.gating._cscan: the gate's scanner in C (optional: without it the
 * gate makes the same decisions with regular expressions, only slower).
 *
 * skip() walks an HTML buffer the way a browser's tokenizer does (HTML Standard
 * 13.2.5: data, tag, attribute and comment states, raw text bodies) and stops at
 * the first token the gate must look at: a tag that may load something or carries
 * data-consent, a tag that changes the tokenizer's context, or anything cut off by
 * the end of the buffer. Everything it passes over goes out unchanged, or as the
 * gate decided before under the same grants (skip_known(): a tag, an embed with the
 * response's placeholder, a whole <noscript>). It never decides what a tag becomes:
 * the Python side does, one stop at a time. Stopping
 * too early only costs time; it must never pass over a token the gate would
 * change, which tests/test_cscan.py checks against the pure-Python path.
 *
 * tag_end() is the end of one complete tag (after its '>'), and raw_end() where a
 * raw text body ends (its "</name" followed by whitespace, '/' or '>').
 * consentkit/gating/fastpath.py imports this module, or falls back without it.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

/* The tokenizer contexts, in the order of gating/fastpath.py's MODES. */
enum { M_HTML, M_STRICT, M_TEMPLATE, M_FOREIGN, M_TEMPLATE_FOREIGN, M_COUNT };

/* What a tag name means to the scanner. */
enum {
    K_ORDINARY = 0,
    K_LOADING = 1,   /* has URL attributes: img, link, ... */
    K_RAWBODY = 2,   /* script/iframe (loading) and text elements: body is raw text */
    K_FOREIGN = 4,   /* svg, math */
    K_TEMPLATE = 8,
    K_BASE = 16,
    K_BODY = 32,     /* script, style: an inline body may name a host */
    K_NOSCRIPT = 64, /* raw text with JavaScript on: read by the gate */
};

#define NAME_MAX_KNOWN 8 /* the longest name below ("noframes", "textarea") */

static const struct { const char *name; Py_ssize_t len; int kind; } NAMES[] = {
    {"script", 6, K_LOADING | K_RAWBODY | K_BODY}, {"iframe", 6, K_LOADING | K_RAWBODY},
    {"img", 3, K_LOADING}, {"image", 5, K_LOADING}, {"source", 6, K_LOADING}, {"video", 5, K_LOADING},
    {"link", 4, K_LOADING}, {"object", 6, K_LOADING}, {"frame", 5, K_LOADING}, {"embed", 5, K_LOADING},
    {"audio", 5, K_LOADING}, {"track", 5, K_LOADING}, {"input", 5, K_LOADING},
    {"use", 3, K_LOADING}, {"feimage", 7, K_LOADING}, /* SVG: they fetch their href */
    {"meta", 4, K_LOADING}, {"set", 3, K_LOADING}, {"animate", 7, K_LOADING}, /* refresh, href animation */
    {"style", 5, K_RAWBODY | K_BODY}, {"textarea", 8, K_RAWBODY}, {"title", 5, K_RAWBODY}, {"xmp", 3, K_RAWBODY},
    {"noembed", 7, K_RAWBODY}, {"noframes", 8, K_RAWBODY},
    {"svg", 3, K_FOREIGN}, {"math", 4, K_FOREIGN}, {"template", 8, K_TEMPLATE}, {"base", 4, K_BASE},
    {"noscript", 8, K_NOSCRIPT},
};

/* Character classes of the tag states, one table lookup per byte. */
enum { C_WS = 1, C_SLASH = 2, C_GT = 4, C_EQ = 8 };
static const unsigned char CLASS[256] = {
    ['\t'] = C_WS, ['\n'] = C_WS, ['\f'] = C_WS, ['\r'] = C_WS, [' '] = C_WS,
    ['/'] = C_SLASH, ['>'] = C_GT, ['='] = C_EQ,
};
#define IS(c, classes) (CLASS[(unsigned char)(c)] & (classes))

static inline int is_ws(unsigned char c) {
    return IS(c, C_WS);
}

static inline int is_alpha(unsigned char c) {
    return (unsigned char)((c | 0x20) - 'a') < 26;
}

static inline unsigned char lower(unsigned char c) {
    return (unsigned char)(c - 'A') < 26 ? (unsigned char)(c | 0x20) : c;
}

/* What one complete tag holds that matters to skip(). */
typedef struct {
    unsigned char name[NAME_MAX_KNOWN + 1]; /* lowered; only when name_len <= NAME_MAX_KNOWN */
    Py_ssize_t name_len;
    int kind;      /* K_* of the name */
    int consent;   /* an attribute named data-consent */
    int url;       /* a value that could name another host (read for K_LOADING only) */
    int extra;     /* style, background, ping, srcdoc or an on* handler that may name a declared host */
    int self_closing; /* ends in "/>" that is no part of an unquoted value */
    Py_ssize_t name_start; /* where its name starts in the buffer (name_len: its length) */
    const struct Needles_ *needles;
} Tag;

/* The declared hosts of the categories not granted, lowered (the gate's needles),
 * and whether every value counts (after a <base> on a declared host). */
typedef struct Needles_ {
    const unsigned char *text[64];
    Py_ssize_t len[64];
    Py_ssize_t count;
    int any;         /* too many needles to hold, or strict mode: every value may name one */
    /* The needles by their first byte: order[from[c] .. from[c + 1]) are the indices
     * of those that start with the lowered byte c. */
    unsigned char order[64];
    unsigned char from[257];
    /* pair[c][d / 32] bit d % 32: some needle starts with c then d (every d for a
     * needle of one byte), so that most bytes of a text are passed in one test. */
    unsigned int pair[256][8];
} Needles;

static int kind_of(const Tag *tag);
static int may_name(const unsigned char *v, Py_ssize_t len, const struct Needles_ *needles, int attribute);
static int extra_name(const unsigned char *b, Py_ssize_t name, Py_ssize_t name_end);

/* Bytes that make may_name() fail closed: an escape, a %-escape or a non-ASCII
 * character anywhere; a character reference, a tab or a newline in an attribute. */
enum { S_ESCAPE = 1, S_ATTRIBUTE = 2 };
static unsigned char SPECIAL[256];

static void init_special(void) {
    SPECIAL['\\'] = SPECIAL['%'] = S_ESCAPE;
    for (int c = 0x80; c < 256; c++)
        SPECIAL[c] = S_ESCAPE;
    SPECIAL['&'] = SPECIAL['\t'] = SPECIAL['\n'] = SPECIAL['\r'] = S_ATTRIBUTE;
}

/* A value that could hold another host's URL: a scheme (':'), a backslash, a
 * character reference ('&'), or two slashes (with tabs or newlines, which URL
 * parsing drops, between them). A relative path without these cannot. */
static int names_host(const unsigned char *v, Py_ssize_t len) {
    for (Py_ssize_t i = 0; i < len; i++) {
        unsigned char c = v[i];
        if (c == ':' || c == '\\' || c == '&')
            return 1;
        if (c == '/' && i + 1 < len) {
            Py_ssize_t j = i + 1;
            while (j < len && (v[j] == '\t' || v[j] == '\n' || v[j] == '\r'))
                j++;
            if (j < len && (v[j] == '/' || v[j] == '\\'))
                return 1;
            if (j > i + 1 && j == len)
                return 1; /* "/<tab>" at the end: fail closed */
        }
    }
    return 0;
}

/* Whether a text may name one of the needles, however a browser reads it: a needle
 * in it (case-blind), or a byte that could hide one (an escape, a %-escape, a
 * character reference or a non-ASCII character, which the gate decodes or maps;
 * tabs and newlines, which URL parsing drops, in attribute values). */
static int may_name(const unsigned char *v, Py_ssize_t len, const Needles *needles, int attribute) {
    if (needles == NULL || needles->any)
        return len > 0 || needles == NULL;
    if (needles->count == 0)
        return 0;
    const unsigned char stop = attribute ? (S_ESCAPE | S_ATTRIBUTE) : S_ESCAPE;
    for (Py_ssize_t i = 0; i < len; i++) {
        unsigned char c = v[i];
        if (SPECIAL[c] & stop)
            return 1;
        unsigned char low = lower(c);
        if (i + 1 < len) {
            unsigned char next = lower(v[i + 1]);
            if (!(needles->pair[low][next >> 5] & (1u << (next & 31))))
                continue;
        } else if (needles->from[low] == needles->from[low + 1]) {
            continue;
        }
        for (int o = needles->from[low]; o < needles->from[low + 1]; o++) {
            Py_ssize_t k = needles->order[o];
            Py_ssize_t nl = needles->len[k];
            if (nl > len - i)
                continue;
            Py_ssize_t j = 1;
            while (j < nl && lower(v[i + j]) == needles->text[k][j])
                j++;
            if (j == nl)
                return 1;
        }
    }
    return 0;
}

/* An attribute read anywhere that may make a request (gating/decide.py's _ANY_ELEMENT,
 * handlers and srcdoc). */
static int extra_name(const unsigned char *b, Py_ssize_t name, Py_ssize_t name_end) {
    Py_ssize_t len = name_end - name;
    unsigned char first = lower(b[name]);
    if (first == 'o')
        return len > 2 && lower(b[name + 1]) == 'n';
    const char *want = len == 5 ? "style" : len == 4 ? "ping" : len == 6 ? "srcdoc" : len == 10 ? "background" : NULL;
    if (want == NULL || first != (unsigned char)want[0])
        return 0;
    for (Py_ssize_t k = 1; k < len; k++)
        if (lower(b[name + k]) != (unsigned char)want[k])
            return 0;
    return 1;
}

static const unsigned char CONSENT[] = "data-consent";

static PyObject *attr_tuple(const unsigned char *b, Py_ssize_t name, Py_ssize_t name_end, const unsigned char *value,
                            Py_ssize_t value_len, Py_ssize_t end);

/* What one attribute tells: to `tag` (data-consent, a URL-like value) and, when
 * asked, as a tuple to the list `found`. -1 on an error. */
static int saw_attr(const unsigned char *b, Py_ssize_t name, Py_ssize_t name_end, const unsigned char *value,
                    Py_ssize_t value_len, Py_ssize_t end, Tag *tag, PyObject *found) {
    if (tag != NULL) {
        if (name_end - name == 12) {
            int same = 1;
            for (int k = 0; k < 12 && same; k++)
                same = lower(b[name + k]) == CONSENT[k];
            tag->consent |= same;
        }
        if (tag->url == 0 && value != NULL)
            tag->url = names_host(value, value_len);
        if (tag->extra == 0 && value != NULL && extra_name(b, name, name_end))
            tag->extra = may_name(value, value_len, tag->needles, 1);
    }
    if (found == NULL)
        return 0;
    PyObject *attr = attr_tuple(b, name, name_end, value, value_len, end);
    int rc = attr == NULL ? -1 : PyList_Append(found, attr);
    Py_XDECREF(attr);
    return rc;
}

/* A tag's attributes from `i`, the end of its name (HTML Standard 13.2.5.32-40,
 * without character references, which do not move a tag's end). Returns the index
 * after its '>', -1 when the buffer ends first, -2 on an error. */
static Py_ssize_t scan_attrs(const unsigned char *b, Py_ssize_t n, Py_ssize_t i, Tag *tag, PyObject *found) {
    for (;;) {
        /* before attribute name (also after '/', and after a quoted value) */
        Py_ssize_t from = i;
        while (i < n && IS(b[i], C_WS | C_SLASH))
            i++;
        if (i >= n)
            return -1;
        if (b[i] == '>') {
            if (tag != NULL)
                tag->self_closing = i > from && b[i - 1] == '/';
            return i + 1;
        }
        /* attribute name: the first character may be '=' */
        Py_ssize_t name = i++;
        while (i < n && !IS(b[i], C_WS | C_SLASH | C_GT | C_EQ))
            i++;
        Py_ssize_t name_end = i;
        /* after attribute name */
        while (i < n && is_ws(b[i]))
            i++;
        if (i >= n)
            return -1;
        const unsigned char *value = NULL;
        Py_ssize_t value_len = 0;
        if (b[i] != '=') {
            i = name_end; /* no value: the next attribute, '/' or '>' follows */
        } else {
            i++;
            /* before attribute value */
            while (i < n && is_ws(b[i]))
                i++;
            if (i >= n)
                return -1;
            unsigned char q = b[i];
            if (q == '"' || q == '\'') {
                const unsigned char *close = memchr(b + i + 1, q, (size_t)(n - i - 1));
                if (close == NULL)
                    return -1;
                value = b + i + 1;
                value_len = close - value;
                i = close - b + 1;
            } else if (q != '>') { /* '>' here: a value written as nothing */
                Py_ssize_t start = i;
                while (i < n && !IS(b[i], C_WS | C_GT))
                    i++;
                if (i >= n)
                    return -1;
                value = b + start;
                value_len = i - start;
            }
        }
        if (saw_attr(b, name, name_end, value, value_len, i, tag, found) < 0)
            return -2;
    }
}

/* One tag from its '<' (HTML Standard 13.2.5.6-13.2.5.40). Returns the index after
 * its '>', or -1 when the buffer ends first. */
static Py_ssize_t scan_tag(const unsigned char *b, Py_ssize_t n, Py_ssize_t i, Tag *tag) {
    i += (i + 1 < n && b[i + 1] == '/') ? 2 : 1;
    Py_ssize_t start = i;
    while (i < n && !IS(b[i], C_WS | C_SLASH | C_GT))
        i++;
    if (tag != NULL) {
        tag->name_start = start;
        tag->name_len = i - start;
        tag->consent = tag->url = tag->extra = tag->self_closing = 0;
        tag->kind = K_ORDINARY;
        if (tag->name_len <= NAME_MAX_KNOWN) {
            for (Py_ssize_t k = 0; k < tag->name_len; k++)
                tag->name[k] = lower(b[start + k]);
            tag->name[tag->name_len] = 0;
            tag->kind = kind_of(tag);
        }
        if (!(tag->kind & K_LOADING))
            tag->url = -1; /* not read */
    }
    return scan_attrs(b, n, i, tag, NULL);
}

/* NAMES by their first letter: the indices of those starting with 'a' + c are
 * NAMES_BY_FIRST[c][0 .. NAMES_FIRST_COUNT[c]) (filled at import). */
#define NAMES_COUNT (sizeof NAMES / sizeof NAMES[0])
static unsigned char NAMES_BY_FIRST[26][NAMES_COUNT];
static unsigned char NAMES_FIRST_COUNT[26];

static void init_names(void) {
    memset(NAMES_FIRST_COUNT, 0, sizeof NAMES_FIRST_COUNT);
    for (size_t k = 0; k < NAMES_COUNT; k++) {
        int c = NAMES[k].name[0] - 'a';
        NAMES_BY_FIRST[c][NAMES_FIRST_COUNT[c]++] = (unsigned char)k;
    }
}

static int kind_of(const Tag *tag) {
    Py_ssize_t len = tag->name_len;
    if (len < 3 || len > NAME_MAX_KNOWN)
        return K_ORDINARY; /* a, p, li, td, ... */
    unsigned char c = (unsigned char)(tag->name[0] - 'a');
    if (c >= 26)
        return K_ORDINARY;
    for (int j = 0; j < NAMES_FIRST_COUNT[c]; j++) {
        size_t k = NAMES_BY_FIRST[c][j];
        if (NAMES[k].len == len && memcmp(NAMES[k].name, tag->name, (size_t)len) == 0)
            return NAMES[k].kind;
    }
    return K_ORDINARY;
}

/* Where "</name" starts, case-blind, followed by whitespace, '/' or '>' (or by
 * anything when `any_next`), or -1. */
static Py_ssize_t find_end_tag(const unsigned char *b, Py_ssize_t n, Py_ssize_t i,
                               const unsigned char *name, Py_ssize_t len, int any_next) {
    while (i < n) {
        const unsigned char *lt = memchr(b + i, '<', (size_t)(n - i));
        if (lt == NULL)
            return -1;
        i = lt - b;
        if (i + 2 + len >= n)
            return -1; /* the end tag, if it is one, is cut off */
        if (b[i + 1] == '/') {
            Py_ssize_t k = 0;
            while (k < len && lower(b[i + 2 + k]) == name[k])
                k++;
            unsigned char c = b[i + 2 + len];
            if (k == len && (any_next || is_ws(c) || c == '/' || c == '>'))
                return i;
        }
        i++;
    }
    return -1;
}

/* Where "</name" + whitespace, '/' or '>' starts, case-blind, or -1. */
static Py_ssize_t find_raw_end(const unsigned char *b, Py_ssize_t n, Py_ssize_t i,
                               const unsigned char *name, Py_ssize_t len) {
    return find_end_tag(b, n, i, name, len, 0);
}

/* The first "--!?>" from i, as the index after it, or -1. */
static Py_ssize_t comment_end(const unsigned char *b, Py_ssize_t n, Py_ssize_t i) {
    while (i + 2 < n) {
        const unsigned char *dash = memchr(b + i, '-', (size_t)(n - i - 2));
        if (dash == NULL)
            return -1;
        i = dash - b;
        if (b[i + 1] == '-') {
            if (b[i + 2] == '>')
                return i + 3;
            if (b[i + 2] == '!' && i + 3 < n && b[i + 3] == '>')
                return i + 4;
        }
        i++;
    }
    return -1;
}

/* Tags the gate has read before under the same grants (HtmlGate's cache): a dict
 * from a tag's bytes to (closing, name, self-closing, replacement or None, where
 * the nonce goes or -1). A tag found there needs no stop: its replacement, if any,
 * goes to `out` here. */
typedef struct {
    PyObject *tags;  /* dict, or NULL */
    PyObject *nonce; /* bytes, empty for none */
    PyObject *out;   /* list of bytes */
    Py_ssize_t emit; /* buf[emit:] is not in out yet */
    int failed;      /* a Python error is set */
    /* Embeds held back with a click-to-load placeholder (_Rules.embeds): a dict from
     * a tag's bytes to (read, (service, width, height)), or NULL; and the response's
     * placeholders, called with (service, width, height), or None. */
    PyObject *embeds;
    PyObject *placeholders;
    int in_noscript; /* passing a <noscript>'s content: no placeholders, no nested <noscript> */
} Known;

static int append_slice(PyObject *out, const unsigned char *b, Py_ssize_t start, Py_ssize_t end) {
    if (end <= start)
        return 0;
    PyObject *piece = PyBytes_FromStringAndSize((const char *)b + start, end - start);
    if (piece == NULL)
        return -1;
    int rc = PyList_Append(out, piece);
    Py_DECREF(piece);
    return rc;
}

/* 1 if `read` is a tag's read this module can write (setting where the nonce goes,
 * -1 for none), 0 if not, -1 on an error. */
static int usable_read(PyObject *read, Py_ssize_t at, Py_ssize_t end, Py_ssize_t *nonce_at) {
    if (!PyTuple_Check(read) || PyTuple_GET_SIZE(read) != 5)
        return 0;
    PyObject *replacement = PyTuple_GET_ITEM(read, 3);
    *nonce_at = PyLong_AsSsize_t(PyTuple_GET_ITEM(read, 4));
    if (*nonce_at == -1 && PyErr_Occurred())
        return -1;
    if (replacement != Py_None && !PyBytes_Check(replacement))
        return 0;
    Py_ssize_t len = replacement == Py_None ? end - at : PyBytes_GET_SIZE(replacement);
    return *nonce_at <= len;
}

static int write_known(Known *known, PyObject *read, const unsigned char *b, Py_ssize_t at, Py_ssize_t end) {
    Py_ssize_t nonce_at;
    int usable = usable_read(read, at, end, &nonce_at);
    if (usable <= 0)
        return usable;
    PyObject *replacement = PyTuple_GET_ITEM(read, 3);
    if (nonce_at >= 0 && PyBytes_GET_SIZE(known->nonce) == 0)
        nonce_at = -1; /* no nonce in this response */
    if (replacement == Py_None && nonce_at < 0)
        return 1;
    const unsigned char *done = replacement == Py_None ? b + at : (const unsigned char *)PyBytes_AS_STRING(replacement);
    Py_ssize_t len = replacement == Py_None ? end - at : PyBytes_GET_SIZE(replacement);
    if (append_slice(known->out, b, known->emit, at) < 0)
        return -1;
    known->emit = end;
    if (nonce_at < 0)
        return PyList_Append(known->out, replacement) < 0 ? -1 : 1;
    if (append_slice(known->out, done, 0, nonce_at) < 0 || PyList_Append(known->out, known->nonce) < 0 ||
        append_slice(known->out, done, nonce_at, len) < 0)
        return -1;
    return 1;
}

/* The value of ``dict`` at the bytes [at, end) of ``b`` (a borrowed reference), or NULL:
 * absent, or an error set. */
static PyObject *lookup_slice(PyObject *dict, const unsigned char *b, Py_ssize_t at, Py_ssize_t end) {
    PyObject *key = PyBytes_FromStringAndSize((const char *)b + at, end - at);
    if (key == NULL)
        return NULL;
    PyObject *found = PyDict_GetItemWithError(dict, key);
    Py_DECREF(key);
    return found;
}

/* 1 if the tag at [at, end) is known by the bytes [at, key_end) (the tag, and the
 * body of an inline script or style) and was written (or passes as it is), 0 if
 * the gate must read it, -1 on an error. */
static int known_tag(Known *known, const unsigned char *b, Py_ssize_t at, Py_ssize_t key_end, Py_ssize_t end) {
    PyObject *read = lookup_slice(known->tags, b, at, key_end);
    if (read == NULL)
        return PyErr_Occurred() ? -1 : 0;
    Py_INCREF(read); /* held while it is used, whatever happens to the cache meanwhile */
    int found = write_known(known, read, b, at, end);
    Py_DECREF(read);
    return found;
}

/* known_tag() for an embed held back with a placeholder: the response's placeholder
 * goes first, then the tag as it was read (HtmlGate._tag does the same). */
static int known_embed(Known *known, const unsigned char *b, Py_ssize_t at, Py_ssize_t end) {
    PyObject *held = lookup_slice(known->embeds, b, at, end);
    if (held == NULL)
        return PyErr_Occurred() ? -1 : 0;
    if (!PyTuple_Check(held) || PyTuple_GET_SIZE(held) != 2 || !PyTuple_Check(PyTuple_GET_ITEM(held, 1)))
        return 0;
    Py_ssize_t nonce_at;
    int usable = usable_read(PyTuple_GET_ITEM(held, 0), at, end, &nonce_at);
    if (usable <= 0)
        return usable; /* checked before the placeholder goes out */
    Py_INCREF(held);
    int found = -1;
    if (known->placeholders != Py_None && !known->in_noscript) {
        PyObject *made = PyObject_Call(known->placeholders, PyTuple_GET_ITEM(held, 1), NULL);
        if (made == NULL)
            goto done;
        if (!PyBytes_Check(made)) {
            Py_DECREF(made);
            PyErr_SetString(PyExc_TypeError, "placeholders must answer bytes");
            goto done;
        }
        int rc = append_slice(known->out, b, known->emit, at);
        if (rc == 0)
            rc = PyList_Append(known->out, made);
        Py_DECREF(made);
        if (rc < 0)
            goto done;
        known->emit = at;
    }
    found = write_known(known, PyTuple_GET_ITEM(held, 0), b, at, end);
done:
    Py_DECREF(held);
    return found;
}

/* -- foreign content (inside <svg> or <math>) ------------------------------------
 * Every start and end tag there changes the tree builder's stack of open elements
 * (gating/tree.py), so the gate used to read each one. skip_foreign() passes the
 * tags whose effect on the stack is plain, and keeps the stack for them: a start
 * tag that is not self-closing opens an element of the namespace of the one it is
 * in, its matching end tag closes it. It stops, for the gate's exact reading, at
 * anything else: svg and math, the tags that break out of foreign content, <font>,
 * integration points (except one holding text only, closed at once), an end tag
 * that closes no element it opened, and every stop of skip()'s foreign mode.
 * The caller holds that the current node is a foreign element that is no
 * integration point. */

#define OPEN_MAX 64

typedef struct {
    Py_ssize_t at[OPEN_MAX]; /* where each open element's name starts */
    Py_ssize_t len[OPEN_MAX];
    int count;
} Opened;

static const char *const BREAKOUT[] = {
    "b", "big", "blockquote", "body", "br", "center", "code", "dd", "div", "dl", "dt", "em", "embed", "h1", "h2",
    "h3", "h4", "h5", "h6", "head", "hr", "i", "img", "li", "listing", "menu", "meta", "nobr", "ol", "p", "pre",
    "ruby", "s", "small", "span", "strong", "strike", "sub", "sup", "table", "tt", "u", "ul", "var", "font", NULL,
};
/* Integration points (and annotation-xml, which is one with an HTML encoding). */
static const char *const POINTS[] = {
    "foreignobject", "desc", "title", "mi", "mo", "mn", "ms", "mtext", "annotation-xml", NULL,
};

static int name_in(const unsigned char *b, Py_ssize_t start, Py_ssize_t len, const char *const *names) {
    for (int k = 0; names[k] != NULL; k++) {
        const char *want = names[k];
        Py_ssize_t j = 0;
        while (j < len && want[j] != 0 && lower(b[start + j]) == (unsigned char)want[j])
            j++;
        if (j == len && want[j] == 0)
            return 1;
    }
    return 0;
}

static int same_name(const unsigned char *b, Py_ssize_t a, Py_ssize_t c, Py_ssize_t len) {
    for (Py_ssize_t j = 0; j < len; j++)
        if (lower(b[a + j]) != lower(b[c + j]))
            return 0;
    return 1;
}

/* After an integration point's start tag at `end`: the index after its end tag
 * when text without any '<' comes first, else -1. */
static Py_ssize_t text_only_element(const unsigned char *b, Py_ssize_t n, Py_ssize_t end, const Tag *tag) {
    const unsigned char *lt = memchr(b + end, '<', (size_t)(n - end));
    if (lt == NULL)
        return -1;
    Py_ssize_t at = lt - b;
    Py_ssize_t len = tag->name_len;
    if (at + 3 + len > n || b[at + 1] != '/' || !same_name(b, at + 2, tag->name_start, len))
        return -1;
    unsigned char c = b[at + 2 + len];
    if (!(is_ws(c) || c == '/' || c == '>'))
        return -1;
    Tag closing;
    closing.needles = NULL;
    return scan_tag(b, n, at, &closing);
}

static Py_ssize_t skip_foreign(const unsigned char *b, Py_ssize_t n, Py_ssize_t i, int mode, const Needles *needles,
                               Opened *opened, int until_closed) {
    int gating = mode == M_FOREIGN;
    Tag tag;
    tag.needles = needles;
    while (i < n) {
        const unsigned char *lt = memchr(b + i, '<', (size_t)(n - i));
        if (lt == NULL)
            return n;
        Py_ssize_t at = lt - b;
        if (at + 2 >= n)
            return at;
        unsigned char c = b[at + 1];
        if (is_alpha(c)) {
            Py_ssize_t end = scan_tag(b, n, at, &tag);
            if (end < 0)
                return at;
            int kind = tag.kind;
            if (kind & (K_FOREIGN | K_NOSCRIPT) || name_in(b, tag.name_start, tag.name_len, BREAKOUT))
                return at;
            if (gating && (tag.consent || kind & (K_BASE | K_BODY) || tag.extra || (kind & K_LOADING && tag.url)))
                return at;
            if (tag.self_closing) {
                i = end;
                continue;
            }
            if (name_in(b, tag.name_start, tag.name_len, POINTS)) {
                Py_ssize_t after = text_only_element(b, n, end, &tag);
                if (after < 0)
                    return at;
                i = after;
                continue;
            }
            if (opened->count == OPEN_MAX)
                return at;
            opened->at[opened->count] = tag.name_start;
            opened->len[opened->count] = tag.name_len;
            opened->count++;
            i = end;
        } else if (c == '/') {
            if (!is_alpha(b[at + 2]))
                return at; /* a bogus comment: the gate reads it */
            Py_ssize_t end = scan_tag(b, n, at, &tag);
            if (end < 0)
                return at;
            int top = opened->count - 1;
            if (top < 0 || opened->len[top] != tag.name_len || !same_name(b, opened->at[top], tag.name_start, tag.name_len))
                return at;
            opened->count--;
            i = end;
            if (until_closed && opened->count == 0)
                return i;
        } else if (c == '!' && b[at + 2] == '-') {
            if (at + 5 >= n || b[at + 3] != '-' || b[at + 4] == '>' || b[at + 4] == '-')
                return at; /* short comments and the rest: the gate reads them */
            i = comment_end(b, n, at + 4);
            if (i < 0)
                return at;
        } else {
            return at; /* "<![CDATA[", "<!...", "<?", and a '<' that is text */
        }
    }
    return n;
}

static Py_ssize_t skip(const unsigned char *b, Py_ssize_t n, Py_ssize_t i, int mode, Known *known,
                       const Needles *needles);

/* A <noscript> whose start tag ends at i, passed whole: the index after its end
 * tag, or -1 for the gate to read it (nothing written then).
 *
 * The gate reads a <noscript>'s content as markup (as a browser without JavaScript
 * does) and escapes any "</noscript" inside a tag, a comment or a raw text body
 * (where a browser with JavaScript on ends the element). Its content up to the
 * first "</noscript" holds none, so it is read here as any markup in the "html"
 * context, up to there exactly: every token passed or known, no nested <noscript>,
 * and no placeholder (the gate writes none inside a <noscript>). That first
 * "</noscript" must be a complete end tag. The context around is "html", where the
 * tree builder's stack is empty: the element leaves it as it found it. */
static Py_ssize_t skip_noscript(const unsigned char *b, Py_ssize_t n, Py_ssize_t i, Known *known,
                                const Needles *needles) {
    static const unsigned char NAME[] = "noscript";
    Py_ssize_t e = find_end_tag(b, n, i, NAME, 8, 1);
    if (e < 0 || !(is_ws(b[e + 10]) || b[e + 10] == '/' || b[e + 10] == '>'))
        return -1;
    Py_ssize_t after = scan_tag(b, n, e, NULL);
    if (after < 0)
        return -1;
    Py_ssize_t written = PyList_GET_SIZE(known->out), emit = known->emit;
    known->in_noscript = 1;
    Py_ssize_t stop = skip(b, e, i, M_HTML, known, needles);
    known->in_noscript = 0;
    if (known->failed)
        return -1;
    if (stop != e) { /* what it wrote is taken back: the gate reads the element */
        if (PyList_SetSlice(known->out, written, PyList_GET_SIZE(known->out), NULL) < 0) {
            known->failed = 1;
            return -1;
        }
        known->emit = emit;
        return -1;
    }
    return after;
}

static Py_ssize_t skip(const unsigned char *b, Py_ssize_t n, Py_ssize_t i, int mode, Known *known,
                       const Needles *needles) {
    int gating = mode == M_HTML || mode == M_STRICT || mode == M_FOREIGN;
    int foreign = mode == M_FOREIGN || mode == M_TEMPLATE_FOREIGN;
    Tag tag;
    tag.needles = needles;
    while (i < n) {
        const unsigned char *lt = memchr(b + i, '<', (size_t)(n - i));
        if (lt == NULL)
            return n;
        Py_ssize_t at = lt - b;
        if (at + 2 >= n)
            return at; /* too little to tell what starts here */
        unsigned char c = b[at + 1];
        if (is_alpha(c)) {
            Py_ssize_t end = scan_tag(b, n, at, &tag);
            if (end < 0)
                return at;
            int kind = tag.kind;
            /* A whole <svg> or <math> element whose every tag skip_foreign() passes
             * leaves the stack of open elements as it found it: passed here too. */
            if (kind & K_FOREIGN && mode == M_HTML && !tag.consent && !tag.extra) {
                if (tag.self_closing) {
                    i = end;
                    continue;
                }
                Opened opened;
                opened.at[0] = tag.name_start;
                opened.len[0] = tag.name_len;
                opened.count = 1;
                Py_ssize_t after = skip_foreign(b, n, end, M_FOREIGN, needles, &opened, 1);
                if (opened.count != 0)
                    return at; /* the gate reads it from its start tag on */
                i = after;
                continue;
            }
            if (kind & K_NOSCRIPT) {
                Py_ssize_t after = -1;
                if (mode == M_HTML && known != NULL && known->tags != NULL && !known->in_noscript && !tag.consent &&
                    !tag.extra)
                    after = skip_noscript(b, n, end, known, needles);
                if (after < 0)
                    return at; /* the gate reads it, token by token */
                i = after;
                continue;
            }
            /* svg/math change the context (or its depth), as does <template>
             * outside foreign content; the rest only matters where tags are gated. */
            if (kind & K_FOREIGN || (kind & K_TEMPLATE && !foreign))
                return at;
            int stop = gating && (tag.consent || kind & K_BASE || tag.extra ||
                                  (kind & K_LOADING && (tag.url || mode != M_HTML)) || (kind & K_BODY && foreign));
            if (stop && (known == NULL || known->tags == NULL || kind & K_BASE || (foreign && kind & K_BODY)))
                return at;
            Py_ssize_t next = end;
            if (kind & K_RAWBODY && !foreign) {
                next = find_raw_end(b, n, end, tag.name, tag.name_len);
                if (next < 0)
                    return at;
                /* An inline script or style is decided with its body: looked up by both. */
                if (gating && kind & K_BODY && !stop && may_name(b + end, next - end, needles, 0)) {
                    stop = 1;
                    if (known == NULL || known->tags == NULL)
                        return at;
                }
            }
            if (stop) {
                int found = known_tag(known, b, at, kind & K_BODY ? next : end, end);
                if (found == 0 && known->embeds != NULL && !foreign && kind & K_LOADING && !(kind & K_BODY))
                    found = known_embed(known, b, at, end);
                if (found < 0) {
                    known->failed = 1;
                    return at;
                }
                if (found == 0)
                    return at;
            }
            i = next;
        } else if (c == '/') {
            if (!is_alpha(b[at + 2])) {  /* "</>" and "</ ..." are bogus comments */
                const unsigned char *gt = memchr(b + at + 2, '>', (size_t)(n - at - 2));
                if (gt == NULL)
                    return at;
                i = gt - b + 1;
                continue;
            }
            Py_ssize_t end = scan_tag(b, n, at, &tag);
            if (end < 0)
                return at;
            int kind = tag.kind;
            if (foreign ? (kind & K_FOREIGN) != 0 : (mode == M_TEMPLATE && kind & K_TEMPLATE))
                return at;
            i = end;
        } else if (c == '!') {
            if (b[at + 2] == '-') {
                if (at + 3 >= n)
                    return at;
                if (b[at + 3] == '-') { /* a comment */
                    if (at + 5 >= n)
                        return at;
                    if (b[at + 4] == '>') {
                        i = at + 5;
                    } else if (b[at + 4] == '-' && b[at + 5] == '>') {
                        i = at + 6;
                    } else {
                        i = comment_end(b, n, at + 4);
                        if (i < 0)
                            return at;
                    }
                    continue;
                }
            } else if (b[at + 2] == '[') {
                return at; /* "<![CDATA[": the gate splits a '>' inside, in any context */
            }
            const unsigned char *gt = memchr(b + at + 2, '>', (size_t)(n - at - 2));
            if (gt == NULL)
                return at;
            i = gt - b + 1;
        } else if (c == '?') {
            const unsigned char *gt = memchr(b + at + 2, '>', (size_t)(n - at - 2));
            if (gt == NULL)
                return at;
            i = gt - b + 1;
        } else {
            i = at + 1; /* a '<' that starts nothing is text */
        }
    }
    return n;
}

/* One attribute as the gate reads it: (lowered name, start, end of the name, value
 * without its quotes or None, end). A value written as nothing (a=) is None. */
static PyObject *attr_tuple(const unsigned char *b, Py_ssize_t name, Py_ssize_t name_end, const unsigned char *value,
                            Py_ssize_t value_len, Py_ssize_t end) {
    PyObject *lowered = PyBytes_FromStringAndSize(NULL, name_end - name);
    if (lowered == NULL)
        return NULL;
    unsigned char *w = (unsigned char *)PyBytes_AS_STRING(lowered);
    for (Py_ssize_t k = name; k < name_end; k++)
        *w++ = lower(b[k]);
    PyObject *v;
    if (value == NULL) {
        v = Py_NewRef(Py_None);
    } else {
        v = PyBytes_FromStringAndSize((const char *)value, value_len);
        if (v == NULL) {
            Py_DECREF(lowered);
            return NULL;
        }
    }
    return Py_BuildValue("(NnnNn)", lowered, name, name_end, v, end);
}

/* The attributes of a complete tag between `i` (the end of its name) and `stop`
 * (its '>'), as the tokenizer reads them. */
static PyObject *read_attrs(const unsigned char *b, Py_ssize_t n, Py_ssize_t i, Py_ssize_t stop) {
    PyObject *found = PyList_New(0);
    if (found != NULL && scan_attrs(b, stop < n ? stop + 1 : n, i, NULL, found) == -2)
        Py_CLEAR(found);
    return found;
}

static int bytes_arg(PyObject *obj, const char *what) {
    if (PyBytes_Check(obj))
        return 0;
    PyErr_Format(PyExc_TypeError, "%s must be bytes, not %.100s", what, Py_TYPE(obj)->tp_name);
    return -1;
}

static int index_arg(PyObject *obj, Py_ssize_t n, Py_ssize_t *out) {
    Py_ssize_t v = PyLong_AsSsize_t(obj);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (v < 0 || v > n) {
        PyErr_SetString(PyExc_ValueError, "position outside the buffer");
        return -1;
    }
    *out = v;
    return 0;
}

static int mode_arg(PyObject *obj, int *out) {
    long mode = PyLong_AsLong(obj);
    if (mode == -1 && PyErr_Occurred())
        return -1;
    if (mode < 0 || mode >= M_COUNT) {
        PyErr_SetString(PyExc_ValueError, "unknown mode");
        return -1;
    }
    *out = (int)mode;
    return 0;
}

/* The arguments every function starts with, (buf, pos, ...): their number, buf
 * bytes, pos inside it. */
static int buf_args(PyObject *const *args, Py_ssize_t nargs, Py_ssize_t expected, const char *usage,
                    const unsigned char **b, Py_ssize_t *n, Py_ssize_t *pos) {
    if (nargs != expected) {
        PyErr_SetString(PyExc_TypeError, usage);
        return -1;
    }
    if (bytes_arg(args[0], "buf") < 0)
        return -1;
    *b = (const unsigned char *)PyBytes_AS_STRING(args[0]);
    *n = PyBytes_GET_SIZE(args[0]);
    return index_arg(args[1], *n, pos);
}

/* needles: a tuple of lowered bytes (checked by the caller), or None when every value may name a host. */
static int prepare_needles(PyObject *obj, Needles *out) {
    memset(out, 0, sizeof *out);
    if (obj == Py_None) {
        out->any = 1;
        return 0;
    }
    Py_ssize_t count = PyTuple_GET_SIZE(obj);
    if (count > (Py_ssize_t)(sizeof out->text / sizeof out->text[0])) {
        out->any = 1;
        return 0;
    }
    unsigned char starts[256] = {0};
    for (Py_ssize_t k = 0; k < count; k++) {
        PyObject *item = PyTuple_GET_ITEM(obj, k);
        if (bytes_arg(item, "a needle") < 0)
            return -1;
        if (PyBytes_GET_SIZE(item) == 0) {
            out->any = 1;
            return 0;
        }
        const unsigned char *text = (const unsigned char *)PyBytes_AS_STRING(item);
        out->text[k] = text;
        out->len[k] = PyBytes_GET_SIZE(item);
        unsigned char first = lower(text[0]);
        starts[first]++;
        if (out->len[k] == 1) {
            memset(out->pair[first], 0xff, sizeof out->pair[first]);
        } else {
            unsigned char second = lower(text[1]);
            out->pair[first][second >> 5] |= 1u << (second & 31);
        }
    }
    /* Counting sort of the needles by their first byte. */
    int at = 0;
    for (int c = 0; c < 256; c++) {
        out->from[c] = (unsigned char)at;
        at += starts[c];
    }
    out->from[256] = (unsigned char)at;
    unsigned char fill[256];
    memcpy(fill, out->from, sizeof fill);
    for (Py_ssize_t k = 0; k < count; k++)
        out->order[fill[lower(out->text[k][0])]++] = (unsigned char)k;
    out->count = count;
    return 0;
}

/* The needles of the last few tuples, each kept with a reference to its tuple (whose
 * bytes they point into): a set of grants passes the same tuple on every response,
 * and preparing it (an 8 KiB table) cost more than a page's scan. */
#define NEEDLES_KEPT 8
static struct {
    PyObject *key;
    Needles needles;
} kept_needles[NEEDLES_KEPT];
static int kept_next;

/* needles: a tuple of lowered bytes, or None when every value may name a host. */
static int needles_arg(PyObject *obj, const Needles **out) {
    static Needles any = {.any = 1};
    if (obj == Py_None) {
        *out = &any;
        return 0;
    }
    if (!PyTuple_Check(obj)) {
        PyErr_SetString(PyExc_TypeError, "needles must be a tuple of bytes or None");
        return -1;
    }
    for (int k = 0; k < NEEDLES_KEPT; k++) {
        if (kept_needles[k].key == obj) {
            *out = &kept_needles[k].needles;
            return 0;
        }
    }
    int slot = kept_next;
    Py_CLEAR(kept_needles[slot].key);
    if (prepare_needles(obj, &kept_needles[slot].needles) < 0)
        return -1;
    Py_INCREF(obj);
    kept_needles[slot].key = obj;
    kept_next = (slot + 1) % NEEDLES_KEPT;
    *out = &kept_needles[slot].needles;
    return 0;
}

static PyObject *py_skip(PyObject *Py_UNUSED(self), PyObject *const *args, Py_ssize_t nargs) {
    const unsigned char *b;
    Py_ssize_t n, pos;
    int mode;
    const Needles *needles;
    if (buf_args(args, nargs, 4, "skip(buf, pos, mode, needles)", &b, &n, &pos) < 0 || mode_arg(args[2], &mode) < 0 ||
        needles_arg(args[3], &needles) < 0)
        return NULL;
    return PyLong_FromSsize_t(skip(b, n, pos, mode, NULL, needles));
}

static PyObject *py_skip_known(PyObject *Py_UNUSED(self), PyObject *const *args, Py_ssize_t nargs) {
    const unsigned char *b;
    Py_ssize_t n, pos;
    int mode;
    const Needles *needles;
    if (buf_args(args, nargs, 10, "skip_known(buf, pos, mode, tags, nonce, out, emit, needles, embeds, placeholders)",
                 &b, &n, &pos) < 0 ||
        mode_arg(args[2], &mode) < 0 || bytes_arg(args[4], "nonce") < 0 || needles_arg(args[7], &needles) < 0)
        return NULL;
    if (!PyDict_Check(args[3]) || !PyList_Check(args[5]) || !PyDict_Check(args[8])) {
        PyErr_SetString(PyExc_TypeError, "tags and embeds must be dicts and out a list");
        return NULL;
    }
    if (args[9] != Py_None && !PyCallable_Check(args[9])) {
        PyErr_SetString(PyExc_TypeError, "placeholders must be callable or None");
        return NULL;
    }
    Known known = {args[3], args[4], args[5], 0, 0, args[8], args[9], 0};
    if (index_arg(args[6], pos, &known.emit) < 0)
        return NULL;
    Py_ssize_t stop = skip(b, n, pos, mode, &known, needles);
    if (known.failed)
        return NULL;
    return Py_BuildValue("(nn)", stop, known.emit);
}

static PyObject *py_skip_foreign(PyObject *Py_UNUSED(self), PyObject *const *args, Py_ssize_t nargs) {
    const unsigned char *b;
    Py_ssize_t n, pos;
    int mode;
    const Needles *needles;
    if (buf_args(args, nargs, 4, "skip_foreign(buf, pos, mode, needles)", &b, &n, &pos) < 0 ||
        mode_arg(args[2], &mode) < 0 || needles_arg(args[3], &needles) < 0)
        return NULL;
    if (mode != M_FOREIGN && mode != M_TEMPLATE_FOREIGN) {
        PyErr_SetString(PyExc_ValueError, "skip_foreign() takes a foreign mode");
        return NULL;
    }
    Opened opened;
    opened.count = 0;
    Py_ssize_t stop = skip_foreign(b, n, pos, mode, needles, &opened, 0);
    PyObject *names = PyTuple_New(opened.count);
    if (names == NULL)
        return NULL;
    for (int k = 0; k < opened.count; k++) {
        PyObject *name = PyUnicode_New(opened.len[k], 255);
        if (name == NULL) {
            Py_DECREF(names);
            return NULL;
        }
        for (Py_ssize_t j = 0; j < opened.len[k]; j++)
            PyUnicode_WRITE(PyUnicode_1BYTE_KIND, PyUnicode_DATA(name), j, lower(b[opened.at[k] + j]));
        PyTuple_SET_ITEM(names, k, name);
    }
    return Py_BuildValue("(nN)", stop, names);
}

static PyObject *py_tag_end(PyObject *Py_UNUSED(self), PyObject *const *args, Py_ssize_t nargs) {
    const unsigned char *b;
    Py_ssize_t n, pos;
    if (buf_args(args, nargs, 2, "tag_end(buf, pos)", &b, &n, &pos) < 0)
        return NULL;
    Py_ssize_t name = pos + 1 + (pos + 1 < n && b[pos + 1] == '/');
    if (pos >= n || b[pos] != '<' || name >= n || !is_alpha(b[name])) {
        PyErr_SetString(PyExc_ValueError, "no tag starts at this position");
        return NULL;
    }
    return PyLong_FromSsize_t(scan_tag(b, n, pos, NULL));
}

static PyObject *py_raw_end(PyObject *Py_UNUSED(self), PyObject *const *args, Py_ssize_t nargs) {
    const unsigned char *b;
    Py_ssize_t n, pos;
    if (buf_args(args, nargs, 3, "raw_end(buf, pos, name)", &b, &n, &pos) < 0 || bytes_arg(args[2], "name") < 0)
        return NULL;
    return PyLong_FromSsize_t(
        find_raw_end(b, n, pos, (const unsigned char *)PyBytes_AS_STRING(args[2]), PyBytes_GET_SIZE(args[2])));
}

static PyObject *py_attrs(PyObject *Py_UNUSED(self), PyObject *const *args, Py_ssize_t nargs) {
    const unsigned char *b;
    Py_ssize_t n, start, stop;
    if (buf_args(args, nargs, 3, "attrs(tag, start, stop)", &b, &n, &start) < 0 || index_arg(args[2], n, &stop) < 0)
        return NULL;
    if (start > stop) {
        PyErr_SetString(PyExc_ValueError, "start after stop");
        return NULL;
    }
    return read_attrs(b, n, start, stop);
}

static PyMethodDef methods[] = {
    {"attrs", (PyCFunction)(void (*)(void))py_attrs, METH_FASTCALL,
     "attrs(tag, start, stop) -> the attributes of a complete tag between the end of its name and its '>':\n"
     "[(lowered name, start, end of name, value without quotes or None, end), ...]"},
    {"skip", (PyCFunction)(void (*)(void))py_skip, METH_FASTCALL,
     "skip(buf, pos, mode, needles) -> the first position from pos the gate must look at (len(buf) if none)"},
    {"skip_known", (PyCFunction)(void (*)(void))py_skip_known, METH_FASTCALL,
     "skip_known(buf, pos, mode, tags, nonce, out, emit, needles, embeds, placeholders) -> (stop, emit): skip()\n"
     "that also passes the tags found in the dict `tags` (and `embeds`, after placeholders(service, width, height)),\n"
     "appending buf[emit:] up to each and its replacement to `out`"},
    {"skip_foreign", (PyCFunction)(void (*)(void))py_skip_foreign, METH_FASTCALL,
     "skip_foreign(buf, pos, mode, needles) -> (stop, opened): skip() in foreign content that also keeps the\n"
     "stack of open elements: the lowered names of the elements opened from pos and still open at stop"},
    {"tag_end", (PyCFunction)(void (*)(void))py_tag_end, METH_FASTCALL,
     "tag_end(buf, pos) -> the index after the '>' of the tag at pos, or -1 if the buffer ends first"},
    {"raw_end", (PyCFunction)(void (*)(void))py_raw_end, METH_FASTCALL,
     "raw_end(buf, pos, lowered_name) -> where '</name' ending a raw text body starts, or -1"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_cscan", "The HTML gate's scanner in C (see consentkit/gating/fastpath.py).", -1, methods,
    NULL, NULL, NULL, NULL,
};

/* The names of each kind, as tuples (LOADING, RAW_TEXT, ...): the test holds them
 * to gating/syntax.py, which says the same in Python. */
static int add_kind(PyObject *m, const char *attr, int kind) {
    PyObject *names = PyList_New(0);
    if (names == NULL)
        return -1;
    for (size_t k = 0; k < sizeof NAMES / sizeof NAMES[0]; k++) {
        if (!(NAMES[k].kind & kind))
            continue;
        PyObject *name = PyUnicode_FromString(NAMES[k].name);
        int rc = name == NULL ? -1 : PyList_Append(names, name);
        Py_XDECREF(name);
        if (rc < 0) {
            Py_DECREF(names);
            return -1;
        }
    }
    PyObject *frozen = PyFrozenSet_New(names);
    Py_DECREF(names);
    if (frozen == NULL)
        return -1;
    int rc = PyModule_AddObjectRef(m, attr, frozen);
    Py_DECREF(frozen);
    return rc;
}

PyMODINIT_FUNC PyInit__cscan(void) {
    init_special();
    init_names();
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    if (add_kind(m, "LOADING", K_LOADING) < 0 || add_kind(m, "RAW_TEXT", K_RAWBODY) < 0 ||
        add_kind(m, "FOREIGN", K_FOREIGN) < 0 || add_kind(m, "TEMPLATE", K_TEMPLATE) < 0 ||
        add_kind(m, "BASE", K_BASE) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
