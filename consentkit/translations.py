"""The widget's and pages' strings in the languages built in besides English and
Spanish (``i18n`` has those two): the languages California's Civil Code §1632 names
for consumer contracts (Chinese, Tagalog, Vietnamese, Korean), which a business
serving those communities uses for its notices too, and French and German for
visitors from the EU.

``REVIEW`` says, per language, how far each table has been reviewed; the legally
fixed phrases (``LEGAL_KEYS``: "Do Not Sell or Share My Personal Information",
"Opt-Out Request Honored", "Limit the Use of My Sensitive Personal Information") have no official translation published by California's
Privacy Protection Agency or Attorney General that we could cite, so each one here
needs review before a business relies on it (docs/translations.md lists them).
A key missing from a table falls back to English.
"""

from __future__ import annotations

from collections.abc import Mapping

LEGAL_KEYS = ("dns", "gpc.honored", "limit")

# Per language: (what the language is, the state of its review).
REVIEW: Mapping[str, tuple[str, str]] = {
    "es": ("Spanish", "needs review: no official translation of the legally fixed phrases"),
    "zh": ("Chinese (Traditional characters)", "needs review: written by the maintainers, no official translation"),
    "tl": ("Tagalog", "needs review: written by the maintainers, no official translation"),
    "vi": ("Vietnamese", "needs review: written by the maintainers, no official translation"),
    "ko": ("Korean", "needs review: written by the maintainers, no official translation"),
    "fr": ("French", "needs review: written by the maintainers, no official translation"),
    "de": ("German", "needs review: written by the maintainers, no official translation"),
}

_NB = "\u00a0"  # French puts a no-break space before ':' and inside « ».

MORE_TEXTS: Mapping[str, Mapping[str, str]] = {
    "zh": {
        "banner.title": "您的隱私選擇",
        "banner.opt_in": "我們希望將 Cookie 及類似技術用於下列用途。選用項目在您接受之前一律保持關閉。您可以隨時改變主意。",
        "banner.opt_out": "我們使用 Cookie 及類似技術，其中部分用於為廣告目的出售或分享個人資訊。您可以現在或隨時拒絕。",
        "banner.kept": "您不允許出售或分享您個人資訊的選擇持續有效。",
        "gpc.honored": "已遵從退出請求",
        "action.accept": "全部接受",
        "action.reject": "全部拒絕",
        "action.preferences": "自行選擇",
        "action.close": "關閉",
        "action.open": "隱私選擇",
        "action.save": "儲存選擇",
        "dns": "請勿出售或分享我的個人資訊",
        "prefs.title": "隱私偏好設定",
        "prefs.text": "請選擇我們可以使用的項目。必要 Cookie 維持網站運作，一律開啟。",
        "prefs.required": "一律開啟",
        "prefs.sale": "出售或分享",
        "prefs.services": "服務與 Cookie",
        "prefs.cookies": "Cookie",
        "prefs.storage": "本機儲存空間",
        "age.question": "請告訴我們您的出生年份和月份。",
        "age.year": "出生年份",
        "age.month": "出生月份（1-12）",
        "age.submit": "繼續",
        "age.invalid": "請檢查年份和月份。",
        "parent.text": "部分功能需要家長或監護人的許可。請輸入其電子郵件地址，我們會向其徵求許可。",
        "parent.email": "家長或監護人的電子郵件地址",
        "parent.submit": "徵求許可",
        "parent.sent": "我們已送出請求。",
        "parent.unavailable": "此功能尚未提供。",
        "parent.pending": "我們已詢問你的家長或監護人。在他們回覆之前，所有選用項目都保持關閉。",
        "parent.denied": "你的家長或監護人未允許本網站收集關於你的選用資訊。所有選用項目都保持關閉。",
        "minor.opt_in": "允許出售或分享我的個人資訊",
        "minor.confirm": "您已允許出售或分享您的個人資訊。您可以隨時退出：使用每個頁面底部的「請勿出售或分享我的個人資訊」"
                         "連結，或在「隱私選擇」中取消勾選。",
        "confirm.title": "請確認您的選擇",
        "confirm.text": "您要求允許為下列用途出售或分享您的個人資訊。在您確認之前，一切都不會改變。",
        "confirm.teen": "如果您確認，之後仍可隨時退出：使用每個頁面底部的「請勿出售或分享我的個人資訊」連結，"
                        "或在「隱私選擇」中取消勾選。",
        "action.confirm": "確認",
        "action.cancel": "取消",
        "saved": "已儲存您的選擇。",
        "error": "發生錯誤，請再試一次。",
        "notice.unsupported": "您的瀏覽器無法顯示我們的隱私選擇。您可以在這裡進行選擇：",
        "page.back": "返回網站",
        "page.reject_all": "全部拒絕並儲存",
        "page.accept_all": "全部接受並儲存",
        "page.minor_note": "如果您允許出售或分享，可以隨時退出。",
        "page.forbidden": "此表單已過期。請重新開啟頁面後再試一次。",
        "dns.text": "我們可能為廣告目的出售或分享個人資訊。請使用按鈕退出。您不需要帳戶，我們也不會要求其他任何資料。",
        "dns.button": "退出出售與分享",
        "dns.none": "本網站不會出售或分享個人資訊。",
        "dns.opt_in": "我們只在取得您的同意後才會出售或分享個人資訊，而您尚未同意。",
        "banner.changed": "自您上次選擇以來新增的項目，在您再次選擇之前保持關閉：",
        "embed.allow": "一律允許 {service}",
        "embed.once": "載入一次",
        "embed.text": "尚未載入：載入後會將您造訪的相關資訊傳送給 {vendor}。",
        "limit": "限制使用我的敏感個人資訊",
        "limit.button": "限制使用我的敏感個人資訊",
        "limit.done": "您限制使用敏感個人資訊的請求已生效。",
        "limit.none": "本網站使用的敏感個人資訊不超出提供其服務所需的範圍。",
        "limit.text": "我們會將敏感個人資訊（例如您的健康資訊）用於本網站隱私權政策所述的用途。請使用按鈕將其使用限制在提供您所要求服務所需的範圍內。您不需要帳戶，我們也不會要求其他任何資料。",
        "notice.kept": "最長保存 {duration}。",
        "notice.pi": "我們藉此收集的資訊：識別碼（Cookie 和裝置 ID）及網路活動（瀏覽的網頁、點擊、瀏覽器及其設定），用於下列用途：",
        "notice.privacy": "隱私權政策",
        "notice.sold": "會被出售或分享",
    },
    "tl": {
        "banner.title": "Ang iyong mga pagpipilian sa privacy",
        "banner.opt_in": "Nais naming gumamit ng cookies at mga katulad na teknolohiya para sa mga layuning nasa ibaba. "
                         "Nananatiling naka-off ang mga opsyonal hangga't hindi mo tinatanggap ang mga ito. Maaari kang "
                         "magbago ng isip anumang oras.",
        "banner.opt_out": "Gumagamit kami ng cookies at mga katulad na teknolohiya, ang ilan ay para ibenta o ibahagi ang "
                          "personal na impormasyon para sa advertising. Maaari mo itong tanggihan ngayon o anumang oras.",
        "banner.kept": "Nananatiling may bisa ang iyong pag-opt out sa pagbebenta o pagbabahagi ng iyong personal na "
                       "impormasyon.",
        "gpc.honored": "Iginalang ang Kahilingang Mag-opt Out",
        "action.accept": "Tanggapin lahat",
        "action.reject": "Tanggihan lahat",
        "action.preferences": "Pumili",
        "action.close": "Isara",
        "action.open": "Mga pagpipilian sa privacy",
        "action.save": "I-save ang mga pinili",
        "dns": "Huwag Ibenta o Ibahagi ang Aking Personal na Impormasyon",
        "prefs.title": "Mga kagustuhan sa privacy",
        "prefs.text": "Piliin kung ano ang maaari naming gamitin. Pinapagana ng mga kinakailangang cookie ang site at "
                      "palagi itong naka-on.",
        "prefs.required": "palaging naka-on",
        "prefs.sale": "pagbebenta o pagbabahagi",
        "prefs.services": "Mga serbisyo at cookie",
        "prefs.cookies": "Cookies",
        "prefs.storage": "Lokal na storage",
        "age.question": "Pakisabi sa amin ang buwan at taon ng iyong kapanganakan.",
        "age.year": "Taon ng kapanganakan",
        "age.month": "Buwan ng kapanganakan (1-12)",
        "age.submit": "Magpatuloy",
        "age.invalid": "Pakisuri ang taon at buwan.",
        "parent.text": "Kailangan ng ilang feature ang pahintulot ng magulang o tagapag-alaga. Ilagay ang kanilang "
                       "e-mail address at hihingi kami ng pahintulot sa kanila.",
        "parent.email": "E-mail address ng magulang o tagapag-alaga",
        "parent.submit": "Humingi ng pahintulot",
        "parent.sent": "Naipadala na namin ang kahilingan.",
        "parent.unavailable": "Hindi pa ito available.",
        "parent.pending": "Tinanong na namin ang iyong magulang o tagapag-alaga. Hangga't hindi sila sumasagot, "
                          "naka-off ang lahat ng opsyonal.",
        "parent.denied": "Hindi pinahintulutan ng iyong magulang o tagapag-alaga ang site na ito na mangolekta ng "
                         "opsyonal na impormasyon tungkol sa iyo. Naka-off ang lahat ng opsyonal.",
        "minor.opt_in": "Pahintulutan ang pagbebenta o pagbabahagi ng aking personal na impormasyon",
        "minor.confirm": "Pinahintulutan mo ang pagbebenta o pagbabahagi ng iyong personal na impormasyon. Maaari kang "
                         "mag-opt out anumang oras: gamitin ang link na \"Huwag Ibenta o Ibahagi ang Aking Personal na "
                         "Impormasyon\" sa ibaba ng bawat pahina, o alisin ang tsek sa \"Mga pagpipilian sa privacy\".",
        "confirm.title": "Pakikumpirma ang iyong pinili",
        "confirm.text": "Hiniling mong pahintulutan ang pagbebenta o pagbabahagi ng iyong personal na impormasyon para "
                        "sa mga layuning nasa ibaba. Walang magbabago hangga't hindi mo kinukumpirma.",
        "confirm.teen": "Kung kukumpirmahin mo, maaari ka pa ring mag-opt out anumang oras: gamitin ang link na "
                        "\"Huwag Ibenta o Ibahagi ang Aking Personal na Impormasyon\" sa ibaba ng bawat pahina, o "
                        "alisin ang tsek sa \"Mga pagpipilian sa privacy\".",
        "action.confirm": "Kumpirmahin",
        "action.cancel": "Kanselahin",
        "saved": "Na-save ang iyong mga pinili.",
        "error": "Nagkaroon ng problema. Pakisubukang muli.",
        "notice.unsupported": "Hindi maipakita ng iyong browser ang aming mga pagpipilian sa privacy. Maaari kang "
                              "pumili dito:",
        "page.back": "Bumalik sa site",
        "page.reject_all": "Tanggihan lahat at i-save",
        "page.accept_all": "Tanggapin lahat at i-save",
        "page.minor_note": "Kung papayagan mo ang pagbebenta o pagbabahagi, maaari kang mag-opt out anumang oras.",
        "page.forbidden": "Nag-expire na ang form na ito. Pakibuksan muli ang pahina at subukang muli.",
        "dns.text": "Maaari kaming magbenta o magbahagi ng personal na impormasyon para sa advertising. Gamitin ang "
                    "button para mag-opt out. Hindi mo kailangan ng account at wala na kaming ibang hihingin.",
        "dns.button": "Mag-opt out sa pagbebenta at pagbabahagi",
        "dns.none": "Hindi nagbebenta o nagbabahagi ng personal na impormasyon ang site na ito.",
        "dns.opt_in": "Nagbebenta o nagbabahagi lang kami ng personal na impormasyon kapag may pahintulot mo, at hindi "
                      "mo pa ito ibinibigay.",
        "banner.changed": "Bago mula nang huli kang pumili, at nakapatay hanggang pumili kang muli:",
        "embed.allow": "Palaging payagan ang {service}",
        "embed.once": "I-load nang isang beses",
        "embed.text": "Hindi na-load: kapag ni-load ito, magpapadala ito ng impormasyon tungkol sa iyong pagbisita sa {vendor}.",
        "limit": "Limitahan ang Paggamit ng Aking Sensitibong Personal na Impormasyon",
        "limit.button": "Limitahan ang paggamit ng aking sensitibong personal na impormasyon",
        "limit.done": "May bisa na ang iyong kahilingang limitahan ang paggamit ng iyong sensitibong personal na impormasyon.",
        "limit.none": "Ang site na ito ay hindi gumagamit ng sensitibong personal na impormasyon nang higit sa kailangan para ibigay ang mga serbisyo nito.",
        "limit.text": "Gumagamit kami ng sensitibong personal na impormasyon, gaya ng impormasyon tungkol sa iyong kalusugan, para sa mga layuning inilalarawan ng aming patakaran sa privacy. Gamitin ang button para limitahan ang paggamit nito sa kailangan para ibigay ang mga serbisyong hinihiling mo. Hindi mo kailangan ng account at wala na kaming hihinging iba pa.",
        "notice.kept": "Itinatago nang hanggang {duration}.",
        "notice.pi": "Ang kinokolekta namin sa mga ito: mga identifier (mga ID ng cookie at device) at aktibidad sa internet (mga pahinang tiningnan, mga pag-click, ang browser at ang mga setting nito), para sa mga layuning ito:",
        "notice.privacy": "Patakaran sa privacy",
        "notice.sold": "ibinebenta o ibinabahagi",
    },
    "vi": {
        "banner.title": "Lựa chọn quyền riêng tư của bạn",
        "banner.opt_in": "Chúng tôi muốn sử dụng cookie và các công nghệ tương tự cho các mục đích dưới đây. Các mục "
                         "không bắt buộc sẽ luôn tắt trừ khi bạn chấp nhận. Bạn có thể thay đổi ý kiến bất cứ lúc nào.",
        "banner.opt_out": "Chúng tôi sử dụng cookie và các công nghệ tương tự, một số để bán hoặc chia sẻ thông tin cá "
                          "nhân cho mục đích quảng cáo. Bạn có thể từ chối ngay bây giờ hoặc bất cứ lúc nào.",
        "banner.kept": "Yêu cầu không bán hoặc chia sẻ thông tin cá nhân của bạn vẫn có hiệu lực.",
        "gpc.honored": "Đã tôn trọng yêu cầu từ chối",
        "action.accept": "Chấp nhận tất cả",
        "action.reject": "Từ chối tất cả",
        "action.preferences": "Tùy chọn",
        "action.close": "Đóng",
        "action.open": "Lựa chọn quyền riêng tư",
        "action.save": "Lưu lựa chọn",
        "dns": "Không bán hoặc chia sẻ thông tin cá nhân của tôi",
        "prefs.title": "Tùy chọn quyền riêng tư",
        "prefs.text": "Hãy chọn những gì chúng tôi được phép sử dụng. Cookie cần thiết giúp trang web hoạt động và "
                      "luôn bật.",
        "prefs.required": "luôn bật",
        "prefs.sale": "bán hoặc chia sẻ",
        "prefs.services": "Dịch vụ và cookie",
        "prefs.cookies": "Cookie",
        "prefs.storage": "Bộ nhớ cục bộ",
        "age.question": "Vui lòng cho chúng tôi biết tháng và năm sinh của bạn.",
        "age.year": "Năm sinh",
        "age.month": "Tháng sinh (1-12)",
        "age.submit": "Tiếp tục",
        "age.invalid": "Vui lòng kiểm tra lại năm và tháng.",
        "parent.text": "Một số tính năng cần có sự cho phép của cha mẹ hoặc người giám hộ. Hãy nhập địa chỉ email của "
                       "họ và chúng tôi sẽ hỏi họ.",
        "parent.email": "Địa chỉ email của cha mẹ hoặc người giám hộ",
        "parent.submit": "Xin phép",
        "parent.sent": "Chúng tôi đã gửi yêu cầu.",
        "parent.unavailable": "Tính năng này chưa có.",
        "parent.pending": "Chúng tôi đã hỏi cha mẹ hoặc người giám hộ của bạn. Cho đến khi họ trả lời, mọi mục không "
                          "bắt buộc vẫn tắt.",
        "parent.denied": "Cha mẹ hoặc người giám hộ của bạn chưa cho phép trang web này thu thập thông tin không bắt "
                         "buộc về bạn. Mọi mục không bắt buộc vẫn tắt.",
        "minor.opt_in": "Cho phép bán hoặc chia sẻ thông tin cá nhân của tôi",
        "minor.confirm": "Bạn đã cho phép bán hoặc chia sẻ thông tin cá nhân của mình. Bạn có thể từ chối bất cứ lúc "
                         "nào: dùng liên kết \"Không bán hoặc chia sẻ thông tin cá nhân của tôi\" ở cuối mỗi trang, "
                         "hoặc bỏ chọn trong \"Lựa chọn quyền riêng tư\".",
        "confirm.title": "Vui lòng xác nhận lựa chọn của bạn",
        "confirm.text": "Bạn đã yêu cầu cho phép bán hoặc chia sẻ thông tin cá nhân của mình cho các mục đích dưới "
                        "đây. Không có gì thay đổi cho đến khi bạn xác nhận.",
        "confirm.teen": "Nếu xác nhận, sau này bạn vẫn có thể từ chối bất cứ lúc nào: dùng liên kết \"Không bán hoặc "
                        "chia sẻ thông tin cá nhân của tôi\" ở cuối mỗi trang, hoặc bỏ chọn trong \"Lựa chọn quyền "
                        "riêng tư\".",
        "action.confirm": "Xác nhận",
        "action.cancel": "Hủy",
        "saved": "Đã lưu lựa chọn của bạn.",
        "error": "Đã xảy ra lỗi. Vui lòng thử lại.",
        "notice.unsupported": "Trình duyệt của bạn không thể hiển thị các lựa chọn quyền riêng tư của chúng tôi. Bạn "
                              "có thể chọn tại đây:",
        "page.back": "Quay lại trang web",
        "page.reject_all": "Từ chối tất cả và lưu",
        "page.accept_all": "Chấp nhận tất cả và lưu",
        "page.minor_note": "Nếu bạn cho phép bán hoặc chia sẻ, bạn có thể từ chối bất cứ lúc nào.",
        "page.forbidden": "Biểu mẫu này đã hết hạn. Vui lòng mở lại trang và thử lại.",
        "dns.text": "Chúng tôi có thể bán hoặc chia sẻ thông tin cá nhân cho mục đích quảng cáo. Hãy dùng nút này để "
                    "từ chối. Bạn không cần tài khoản và chúng tôi không yêu cầu gì thêm.",
        "dns.button": "Từ chối việc bán và chia sẻ",
        "dns.none": "Trang web này không bán hoặc chia sẻ thông tin cá nhân.",
        "dns.opt_in": "Chúng tôi chỉ bán hoặc chia sẻ thông tin cá nhân khi có sự đồng ý của bạn, và bạn chưa đồng ý.",
        "banner.changed": "Mới kể từ lần bạn chọn gần nhất, và tắt cho đến khi bạn chọn lại:",
        "embed.allow": "Luôn cho phép {service}",
        "embed.once": "Tải một lần",
        "embed.text": "Chưa tải: khi tải, nội dung này sẽ gửi thông tin về lượt truy cập của bạn đến {vendor}.",
        "limit": "Giới hạn việc sử dụng thông tin cá nhân nhạy cảm của tôi",
        "limit.button": "Giới hạn việc sử dụng thông tin cá nhân nhạy cảm của tôi",
        "limit.done": "Yêu cầu giới hạn việc sử dụng thông tin cá nhân nhạy cảm của bạn đã có hiệu lực.",
        "limit.none": "Trang web này không sử dụng thông tin cá nhân nhạy cảm vượt quá mức cần thiết để cung cấp dịch vụ của mình.",
        "limit.text": "Chúng tôi sử dụng thông tin cá nhân nhạy cảm, chẳng hạn thông tin về sức khỏe của bạn, cho các mục đích mà chính sách quyền riêng tư của chúng tôi mô tả. Hãy dùng nút này để giới hạn việc sử dụng ở mức cần thiết để cung cấp các dịch vụ bạn yêu cầu. Bạn không cần tài khoản và chúng tôi không hỏi gì thêm.",
        "notice.kept": "Được lưu giữ tối đa {duration}.",
        "notice.pi": "Những gì chúng tôi thu thập qua đó: mã định danh (ID cookie và thiết bị) và hoạt động trên internet (trang đã xem, lượt nhấp, trình duyệt và cài đặt của nó), cho các mục đích sau:",
        "notice.privacy": "Chính sách quyền riêng tư",
        "notice.sold": "được bán hoặc chia sẻ",
    },
    "ko": {
        "banner.title": "개인정보 선택",
        "banner.opt_in": "아래 목적을 위해 쿠키 및 유사 기술을 사용하고자 합니다. 선택 항목은 동의하기 전까지 꺼져 있습니다. "
                         "언제든지 마음을 바꿀 수 있습니다.",
        "banner.opt_out": "저희는 쿠키 및 유사 기술을 사용하며, 그중 일부는 광고 목적으로 개인정보를 판매하거나 공유하는 데 "
                          "사용됩니다. 지금 또는 언제든지 거부할 수 있습니다.",
        "banner.kept": "개인정보 판매 또는 공유에 대한 거부가 계속 유효합니다.",
        "gpc.honored": "옵트아웃 요청이 처리되었습니다",
        "action.accept": "모두 허용",
        "action.reject": "모두 거부",
        "action.preferences": "직접 선택",
        "action.close": "닫기",
        "action.open": "개인정보 선택",
        "action.save": "선택 저장",
        "dns": "내 개인정보를 판매하거나 공유하지 마십시오",
        "prefs.title": "개인정보 설정",
        "prefs.text": "저희가 사용할 수 있는 항목을 선택하세요. 필수 쿠키는 사이트 작동에 필요하며 항상 켜져 있습니다.",
        "prefs.required": "항상 켜짐",
        "prefs.sale": "판매 또는 공유",
        "prefs.services": "서비스 및 쿠키",
        "prefs.cookies": "쿠키",
        "prefs.storage": "로컬 저장소",
        "age.question": "태어난 연도와 월을 알려 주세요.",
        "age.year": "출생 연도",
        "age.month": "출생 월 (1-12)",
        "age.submit": "계속",
        "age.invalid": "연도와 월을 확인해 주세요.",
        "parent.text": "일부 기능은 부모 또는 보호자의 허락이 필요합니다. 부모 또는 보호자의 이메일 주소를 입력하면 저희가 "
                       "허락을 요청하겠습니다.",
        "parent.email": "부모 또는 보호자의 이메일 주소",
        "parent.submit": "허락 요청하기",
        "parent.sent": "요청을 보냈습니다.",
        "parent.unavailable": "아직 사용할 수 없습니다.",
        "parent.pending": "부모님 또는 보호자에게 요청했어요. 답을 받을 때까지 선택 항목은 모두 꺼져 있어요.",
        "parent.denied": "부모님 또는 보호자가 이 사이트의 선택 정보 수집을 허락하지 않았어요. 선택 항목은 모두 꺼져 있어요.",
        "minor.opt_in": "내 개인정보의 판매 또는 공유 허용",
        "minor.confirm": "개인정보의 판매 또는 공유를 허용했습니다. 언제든지 거부할 수 있습니다. 모든 페이지 하단의 "
                         "\"내 개인정보를 판매하거나 공유하지 마십시오\" 링크를 사용하거나 \"개인정보 선택\"에서 선택을 "
                         "해제하세요.",
        "confirm.title": "선택을 확인해 주세요",
        "confirm.text": "아래 목적을 위해 개인정보의 판매 또는 공유를 허용하도록 요청하셨습니다. 확인하기 전까지는 아무것도 "
                        "바뀌지 않습니다.",
        "confirm.teen": "확인하더라도 나중에 언제든지 거부할 수 있습니다. 모든 페이지 하단의 \"내 개인정보를 판매하거나 "
                        "공유하지 마십시오\" 링크를 사용하거나 \"개인정보 선택\"에서 선택을 해제하세요.",
        "action.confirm": "확인",
        "action.cancel": "취소",
        "saved": "선택이 저장되었습니다.",
        "error": "문제가 발생했습니다. 다시 시도해 주세요.",
        "notice.unsupported": "사용 중인 브라우저에서는 개인정보 선택 화면을 표시할 수 없습니다. 여기에서 선택할 수 있습니다:",
        "page.back": "사이트로 돌아가기",
        "page.reject_all": "모두 거부하고 저장",
        "page.accept_all": "모두 허용하고 저장",
        "page.minor_note": "판매 또는 공유를 허용하더라도 언제든지 거부할 수 있습니다.",
        "page.forbidden": "이 양식은 만료되었습니다. 페이지를 다시 열고 다시 시도해 주세요.",
        "dns.text": "저희는 광고 목적으로 개인정보를 판매하거나 공유할 수 있습니다. 버튼을 눌러 거부하세요. 계정이 필요 "
                    "없으며 다른 정보도 요청하지 않습니다.",
        "dns.button": "판매 및 공유 거부",
        "dns.none": "이 사이트는 개인정보를 판매하거나 공유하지 않습니다.",
        "dns.opt_in": "저희는 동의를 받은 경우에만 개인정보를 판매하거나 공유하며, 귀하는 동의하지 않았습니다.",
        "banner.changed": "마지막으로 선택하신 이후 새로 추가되었으며, 다시 선택하실 때까지 꺼져 있는 항목:",
        "embed.allow": "{service} 항상 허용",
        "embed.once": "한 번만 불러오기",
        "embed.text": "불러오지 않음: 불러오면 방문에 관한 정보가 {vendor}에 전송됩니다.",
        "limit": "내 민감한 개인정보의 사용을 제한하십시오",
        "limit.button": "내 민감한 개인정보의 사용 제한",
        "limit.done": "민감한 개인정보의 사용을 제한해 달라는 요청이 적용되었습니다.",
        "limit.none": "이 사이트는 서비스 제공에 필요한 범위를 넘어 민감한 개인정보를 사용하지 않습니다.",
        "limit.text": "당사는 건강에 관한 정보 등 민감한 개인정보를 개인정보 처리방침에 설명된 목적으로 사용합니다. 버튼을 사용하여 요청하신 서비스 제공에 필요한 범위로 사용을 제한할 수 있습니다. 계정이 필요하지 않으며 다른 정보는 요구하지 않습니다.",
        "notice.kept": "최대 {duration} 동안 보관됩니다.",
        "notice.pi": "이를 통해 수집하는 정보: 식별자(쿠키 및 기기 ID)와 인터넷 활동(본 페이지, 클릭, 브라우저와 그 설정), 다음 목적으로 사용:",
        "notice.privacy": "개인정보 처리방침",
        "notice.sold": "판매 또는 공유됨",
    },
    "fr": {
        "banner.title": "Vos choix en matière de confidentialité",
        "banner.opt_in": "Nous souhaitons utiliser des cookies et des technologies similaires pour les finalités "
                         "ci-dessous. Celles qui sont facultatives restent désactivées tant que vous ne les acceptez "
                         "pas. Vous pouvez changer d'avis à tout moment.",
        "banner.opt_out": "Nous utilisons des cookies et des technologies similaires, dont certains pour vendre ou "
                          "partager des informations personnelles à des fins publicitaires. Vous pouvez les refuser "
                          "maintenant ou à tout moment.",
        "banner.kept": "Votre refus de la vente ou du partage de vos informations personnelles reste en vigueur.",
        "gpc.honored": "Demande de refus prise en compte",
        "action.accept": "Tout accepter",
        "action.reject": "Tout refuser",
        "action.preferences": "Choisir",
        "action.close": "Fermer",
        "action.open": "Choix de confidentialité",
        "action.save": "Enregistrer mes choix",
        "dns": "Ne pas vendre ni partager mes informations personnelles",
        "prefs.title": "Préférences de confidentialité",
        "prefs.text": "Choisissez ce que nous pouvons utiliser. Les cookies nécessaires font fonctionner le site et "
                      "sont toujours actifs.",
        "prefs.required": "toujours actifs",
        "prefs.sale": "vente ou partage",
        "prefs.services": "Services et cookies",
        "prefs.cookies": "Cookies",
        "prefs.storage": "Stockage local",
        "age.question": "Veuillez indiquer votre mois et votre année de naissance.",
        "age.year": "Année de naissance",
        "age.month": "Mois de naissance (1-12)",
        "age.submit": "Continuer",
        "age.invalid": "Veuillez vérifier l'année et le mois.",
        "parent.text": "Certaines fonctions nécessitent l'autorisation d'un parent ou d'un tuteur. Saisissez son "
                       "adresse e-mail et nous la lui demanderons.",
        "parent.email": "Adresse e-mail du parent ou du tuteur",
        "parent.submit": "Demander l'autorisation",
        "parent.sent": "Nous avons envoyé la demande.",
        "parent.unavailable": "Ce n'est pas encore disponible.",
        "parent.pending": "Nous avons posé la question à ton parent ou tuteur. En attendant sa réponse, tout ce qui est "
                          "facultatif reste désactivé.",
        "parent.denied": "Ton parent ou tuteur n'a pas autorisé ce site à recueillir des informations facultatives sur "
                         "toi. Tout ce qui est facultatif reste désactivé.",
        "minor.opt_in": "Autoriser la vente ou le partage de mes informations personnelles",
        "minor.confirm": f"Vous avez autorisé la vente ou le partage de vos informations personnelles. Vous pouvez "
                         f"revenir sur ce choix à tout moment{_NB}: utilisez le lien «{_NB}Ne pas vendre ni partager "
                         f"mes informations personnelles{_NB}» en bas de chaque page, ou décochez la case dans "
                         f"«{_NB}Choix de confidentialité{_NB}».",
        "confirm.title": "Veuillez confirmer votre choix",
        "confirm.text": "Vous avez demandé à autoriser la vente ou le partage de vos informations personnelles pour "
                        "les finalités ci-dessous. Rien ne change tant que vous n'avez pas confirmé.",
        "confirm.teen": f"Si vous confirmez, vous pourrez revenir sur ce choix plus tard, à tout moment{_NB}: utilisez "
                        f"le lien «{_NB}Ne pas vendre ni partager mes informations personnelles{_NB}» en bas de chaque "
                        f"page, ou décochez la case dans «{_NB}Choix de confidentialité{_NB}».",
        "action.confirm": "Confirmer",
        "action.cancel": "Annuler",
        "saved": "Vos choix ont été enregistrés.",
        "error": "Une erreur s'est produite. Veuillez réessayer.",
        "notice.unsupported": f"Votre navigateur ne peut pas afficher nos choix de confidentialité. Vous pouvez les "
                              f"faire ici{_NB}:",
        "page.back": "Retour au site",
        "page.reject_all": "Tout refuser et enregistrer",
        "page.accept_all": "Tout accepter et enregistrer",
        "page.minor_note": "Si vous autorisez la vente ou le partage, vous pouvez revenir sur ce choix à tout moment.",
        "page.forbidden": "Ce formulaire a expiré. Veuillez rouvrir la page et réessayer.",
        "dns.text": "Nous pouvons vendre ou partager des informations personnelles à des fins publicitaires. Utilisez "
                    "le bouton pour vous y opposer. Vous n'avez besoin d'aucun compte et nous ne vous demandons rien "
                    "d'autre.",
        "dns.button": "Refuser la vente et le partage",
        "dns.none": "Ce site ne vend ni ne partage d'informations personnelles.",
        "dns.opt_in": "Nous ne vendons ou ne partageons des informations personnelles qu'avec votre consentement, et "
                      "vous ne l'avez pas donné.",
        "banner.changed": f"Nouveau depuis votre dernier choix, et désactivé jusqu’à ce que vous choisissiez à nouveau{_NB}:",
        "embed.allow": "Toujours autoriser {service}",
        "embed.once": "Charger une fois",
        "embed.text": f"Non chargé{_NB}: le charger envoie des informations sur votre visite à {{vendor}}.",
        "limit": "Limiter l’utilisation de mes informations personnelles sensibles",
        "limit.button": "Limiter l’utilisation de mes informations personnelles sensibles",
        "limit.done": "Votre demande de limiter l’utilisation de vos informations personnelles sensibles est en vigueur.",
        "limit.none": "Ce site n’utilise aucune information personnelle sensible au-delà de ce que la fourniture de ses services exige.",
        "limit.text": "Nous utilisons des informations personnelles sensibles, comme des informations sur votre santé, aux fins que décrit notre politique de confidentialité. Utilisez le bouton pour limiter leur utilisation à ce qu’exige la fourniture des services que vous demandez. Aucun compte n’est nécessaire et nous ne vous demandons rien d’autre.",
        "notice.kept": "Conservé jusqu’à {duration}.",
        "notice.pi": f"Ce que nous collectons ainsi{_NB}: des identifiants (de cookies et d’appareils) et l’activité sur internet (pages vues, clics, le navigateur et ses réglages), pour ces finalités{_NB}:",
        "notice.privacy": "Politique de confidentialité",
        "notice.sold": "vendu ou partagé",
    },
    "de": {
        "banner.title": "Ihre Datenschutzoptionen",
        "banner.opt_in": "Wir möchten Cookies und ähnliche Technologien für die unten genannten Zwecke verwenden. "
                         "Optionale bleiben ausgeschaltet, solange Sie sie nicht akzeptieren. Sie können Ihre "
                         "Entscheidung jederzeit ändern.",
        "banner.opt_out": "Wir verwenden Cookies und ähnliche Technologien, einige davon, um personenbezogene Daten für "
                          "Werbung zu verkaufen oder weiterzugeben. Sie können sie jetzt oder jederzeit ablehnen.",
        "banner.kept": "Ihr Widerspruch gegen den Verkauf oder die Weitergabe Ihrer personenbezogenen Daten bleibt "
                       "bestehen.",
        "gpc.honored": "Widerspruch berücksichtigt",
        "action.accept": "Alle akzeptieren",
        "action.reject": "Alle ablehnen",
        "action.preferences": "Auswählen",
        "action.close": "Schließen",
        "action.open": "Datenschutzoptionen",
        "action.save": "Auswahl speichern",
        "dns": "Meine personenbezogenen Daten nicht verkaufen oder weitergeben",
        "prefs.title": "Datenschutzeinstellungen",
        "prefs.text": "Wählen Sie, was wir verwenden dürfen. Notwendige Cookies halten die Website funktionsfähig und "
                      "sind immer aktiv.",
        "prefs.required": "immer aktiv",
        "prefs.sale": "Verkauf oder Weitergabe",
        "prefs.services": "Dienste und Cookies",
        "prefs.cookies": "Cookies",
        "prefs.storage": "Lokaler Speicher",
        "age.question": "Bitte geben Sie Ihren Geburtsmonat und Ihr Geburtsjahr an.",
        "age.year": "Geburtsjahr",
        "age.month": "Geburtsmonat (1-12)",
        "age.submit": "Weiter",
        "age.invalid": "Bitte prüfen Sie Jahr und Monat.",
        "parent.text": "Einige Funktionen brauchen die Erlaubnis eines Elternteils oder einer erziehungsberechtigten "
                       "Person. Geben Sie deren E-Mail-Adresse ein, und wir fragen dort nach.",
        "parent.email": "E-Mail-Adresse eines Elternteils oder einer erziehungsberechtigten Person",
        "parent.submit": "Um Erlaubnis bitten",
        "parent.sent": "Wir haben die Anfrage gesendet.",
        "parent.unavailable": "Das ist noch nicht verfügbar.",
        "parent.pending": "Wir haben deine Eltern oder deine erziehungsberechtigte Person gefragt. Bis zur Antwort "
                          "bleibt alles Optionale ausgeschaltet.",
        "parent.denied": "Deine Eltern oder deine erziehungsberechtigte Person haben dieser Website nicht erlaubt, "
                         "optionale Informationen über dich zu erheben. Alles Optionale bleibt ausgeschaltet.",
        "minor.opt_in": "Verkauf oder Weitergabe meiner personenbezogenen Daten erlauben",
        "minor.confirm": "Sie haben den Verkauf oder die Weitergabe Ihrer personenbezogenen Daten erlaubt. Sie können "
                         "jederzeit widersprechen: über den Link „Meine personenbezogenen Daten nicht verkaufen oder "
                         "weitergeben“ unten auf jeder Seite oder indem Sie das Häkchen unter „Datenschutzoptionen“ "
                         "entfernen.",
        "confirm.title": "Bitte bestätigen Sie Ihre Auswahl",
        "confirm.text": "Sie möchten den Verkauf oder die Weitergabe Ihrer personenbezogenen Daten für die unten "
                        "genannten Zwecke erlauben. Nichts ändert sich, bis Sie bestätigen.",
        "confirm.teen": "Wenn Sie bestätigen, können Sie später jederzeit widersprechen: über den Link „Meine "
                        "personenbezogenen Daten nicht verkaufen oder weitergeben“ unten auf jeder Seite oder indem "
                        "Sie das Häkchen unter „Datenschutzoptionen“ entfernen.",
        "action.confirm": "Bestätigen",
        "action.cancel": "Abbrechen",
        "saved": "Ihre Auswahl wurde gespeichert.",
        "error": "Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.",
        "notice.unsupported": "Ihr Browser kann unsere Datenschutzoptionen nicht anzeigen. Sie können Ihre Auswahl "
                              "hier treffen:",
        "page.back": "Zurück zur Website",
        "page.reject_all": "Alle ablehnen und speichern",
        "page.accept_all": "Alle akzeptieren und speichern",
        "page.minor_note": "Wenn Sie Verkauf oder Weitergabe erlauben, können Sie jederzeit widersprechen.",
        "page.forbidden": "Dieses Formular ist abgelaufen. Bitte öffnen Sie die Seite erneut und versuchen Sie es noch "
                          "einmal.",
        "dns.text": "Wir verkaufen personenbezogene Daten möglicherweise für Werbung oder geben sie dafür weiter. Mit der "
                    "Schaltfläche widersprechen Sie. Sie brauchen kein Konto, und wir fragen nach nichts weiter.",
        "dns.button": "Dem Verkauf und der Weitergabe widersprechen",
        "dns.none": "Diese Website verkauft keine personenbezogenen Daten und gibt sie nicht weiter.",
        "dns.opt_in": "Wir verkaufen oder geben personenbezogene Daten nur mit Ihrer Einwilligung weiter, und diese "
                      "haben Sie nicht erteilt.",
        "banner.changed": "Neu seit Ihrer letzten Auswahl und ausgeschaltet, bis Sie erneut wählen:",
        "embed.allow": "{service} immer erlauben",
        "embed.once": "Einmal laden",
        "embed.text": "Nicht geladen: Beim Laden werden Informationen über Ihren Besuch an {vendor} gesendet.",
        "limit": "Die Verwendung meiner sensiblen personenbezogenen Daten einschränken",
        "limit.button": "Verwendung meiner sensiblen personenbezogenen Daten einschränken",
        "limit.done": "Ihre Anfrage, die Verwendung Ihrer sensiblen personenbezogenen Daten einzuschränken, ist wirksam.",
        "limit.none": "Diese Website verwendet keine sensiblen personenbezogenen Daten über das hinaus, was die Erbringung ihrer Dienste erfordert.",
        "limit.text": "Wir verwenden sensible personenbezogene Daten, etwa Angaben zu Ihrer Gesundheit, für die Zwecke, die unsere Datenschutzerklärung beschreibt. Mit der Schaltfläche beschränken Sie ihre Verwendung auf das, was die Erbringung der von Ihnen angefragten Dienste erfordert. Sie brauchen kein Konto, und wir fragen nach nichts weiter.",
        "notice.kept": "Aufbewahrt bis zu {duration}.",
        "notice.pi": "Was wir damit erheben: Kennungen (Cookie- und Geräte-IDs) und Internetaktivität (aufgerufene Seiten, Klicks, der Browser und seine Einstellungen), zu diesen Zwecken:",
        "notice.privacy": "Datenschutzerklärung",
        "notice.sold": "verkauft oder weitergegeben",
    },
}
