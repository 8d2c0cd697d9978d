// Names the widget shares with the server, the page and QA tests (contract section 5).

/** The attribute that names a widget action on a button or link. */
export const ACTION = "data-consentkit-action";
/** The attribute that names the category (or service) of a gated tag. */
export const CONSENT = "data-consent";
/** The JSON block of the visitor's state that the middleware writes into the page. */
export const STATE_ID = "consentkit-state";
/** Where the runtime built by the synchronous part waits for the deferred part. */
export const CORE_KEY = "__consentkitCore";
/** The globals the server's preludes to boot.js and widget.js set (consentkit/assets.py). */
export const BOOT_GLOBAL = "__consentkitPolicy";
export const WIDGET_GLOBAL = "__consentkitConfig";

/**
 * The CMP ID `__gpp` answers: consentkit has none from the IAB, and the GPP CMP API
 * specification asks string creators without one (and without a commercial CMP) for 1.
 */
export const CMP_ID = 1;

export const YEAR_SECONDS = 365 * 24 * 3600;
/** What may take the keyboard focus in the banner and the dialog. */
export const FOCUSABLE = "a[href],button,input,summary";

/** The US Privacy string of a visitor opted out of sale (notice given, opted out, no LSPA). */
export const USP_OPTED_OUT = "1YYN";

export const BAND_UNKNOWN = "unknown";
export const BAND_CHILD = "under_13";
export const BAND_TEEN = "13_15";
// The widget sends the precise band; the server shows 16_17 and 18_plus as 16_plus
// where the region does not tell them apart.
export const BAND_OLDER_TEEN = "16_17";
export const BAND_ADULT = "18_plus";
