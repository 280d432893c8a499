"""Word lists for the synthetic corpus (bench/synthetic.py): names in English and Arabic, and what claims are about.

Each entry pairs an English form with its Arabic form, so that an Arabic article names the same actors
as an English one. Countries are real (their Arabic names as Arabic news writes them); people, outlets,
agencies and companies are made up from the name parts below.
"""

from __future__ import annotations

# The curated countries first, most reported first: the head of the actors' Zipf distribution.
CURATED_COUNTRIES = ("egypt", "russia", "united-states", "ukraine", "china", "syria", "libya", "iraq", "north-korea")

# (id, English name, Arabic name, Arab state)
COUNTRIES: tuple[tuple[str, str, str, bool], ...] = (
    ("turkey", "Turkey", "تركيا", False), ("iran", "Iran", "إيران", False), ("israel", "Israel", "إسرائيل", False),
    ("saudi-arabia", "Saudi Arabia", "السعودية", True), ("france", "France", "فرنسا", False),
    ("united-arab-emirates", "United Arab Emirates", "الإمارات", True), ("germany", "Germany", "ألمانيا", False),
    ("united-kingdom", "United Kingdom", "بريطانيا", False), ("qatar", "Qatar", "قطر", True), ("jordan", "Jordan", "الأردن", True),
    ("sudan", "Sudan", "السودان", True), ("ethiopia", "Ethiopia", "إثيوبيا", False), ("algeria", "Algeria", "الجزائر", True),
    ("india", "India", "الهند", False), ("italy", "Italy", "إيطاليا", False), ("lebanon", "Lebanon", "لبنان", True),
    ("kuwait", "Kuwait", "الكويت", True), ("morocco", "Morocco", "المغرب", True), ("tunisia", "Tunisia", "تونس", True),
    ("yemen", "Yemen", "اليمن", True), ("pakistan", "Pakistan", "باكستان", False), ("greece", "Greece", "اليونان", False),
    ("cyprus", "Cyprus", "قبرص", False), ("belarus", "Belarus", "بيلاروسيا", False), ("oman", "Oman", "عمان", True),
    ("bahrain", "Bahrain", "البحرين", True), ("japan", "Japan", "اليابان", False), ("south-korea", "South Korea", "كوريا الجنوبية", False),
    ("brazil", "Brazil", "البرازيل", False), ("spain", "Spain", "إسبانيا", False), ("poland", "Poland", "بولندا", False),
    ("kazakhstan", "Kazakhstan", "كازاخستان", False), ("azerbaijan", "Azerbaijan", "أذربيجان", False),
    ("armenia", "Armenia", "أرمينيا", False), ("serbia", "Serbia", "صربيا", False), ("indonesia", "Indonesia", "إندونيسيا", False),
    ("malaysia", "Malaysia", "ماليزيا", False), ("nigeria", "Nigeria", "نيجيريا", False), ("south-africa", "South Africa", "جنوب أفريقيا", False),
    ("kenya", "Kenya", "كينيا", False), ("somalia", "Somalia", "الصومال", True), ("djibouti", "Djibouti", "جيبوتي", True),
    ("eritrea", "Eritrea", "إريتريا", False), ("chad", "Chad", "تشاد", False), ("niger", "Niger", "النيجر", False),
    ("mali", "Mali", "مالي", False), ("mauritania", "Mauritania", "موريتانيا", True), ("afghanistan", "Afghanistan", "أفغانستان", False),
    ("vietnam", "Vietnam", "فيتنام", False), ("canada", "Canada", "كندا", False), ("australia", "Australia", "أستراليا", False),
    ("mexico", "Mexico", "المكسيك", False), ("argentina", "Argentina", "الأرجنتين", False), ("venezuela", "Venezuela", "فنزويلا", False),
    ("cuba", "Cuba", "كوبا", False), ("sweden", "Sweden", "السويد", False), ("norway", "Norway", "النرويج", False),
    ("netherlands", "Netherlands", "هولندا", False), ("belgium", "Belgium", "بلجيكا", False), ("uzbekistan", "Uzbekistan", "أوزبكستان", False),
    ("georgia", "Georgia", "جورجيا", False), ("south-sudan", "South Sudan", "جنوب السودان", False),
)
# Arabic names of the curated countries that the curated actors do not spell in Arabic.
CURATED_ARABIC = {"china": "الصين", "syria": "سوريا", "libya": "ليبيا", "iraq": "العراق", "north-korea": "كوريا الشمالية"}
ARAB_CURATED = {"egypt", "syria", "libya", "iraq"}

# Heads of state the curated dataset knows, by the years they held office: (country, first year, last year, actor id).
# Others are generated. Mubarak and Medvedev are generated too (with these names) where no curated actor exists.
HEADS = (
    ("egypt", 2000, 2011, "hosni-mubarak"), ("egypt", 2012, 2013, "mohammed-morsi"), ("egypt", 2014, 2026, "abdel-fattah-el-sisi"),
    ("russia", 2000, 2007, "vladimir-putin"), ("russia", 2008, 2011, "dmitry-medvedev"), ("russia", 2012, 2026, "vladimir-putin"),
)
GENERATED_HEADS = {
    "hosni-mubarak": ("Hosni Mubarak", "حسني مبارك", "egypt"),
    "dmitry-medvedev": ("Dmitry Medvedev", "ديمتري ميدفيديف", "russia"),
}

# (English title, Arabic title as the first term of an idafa: "وزير خارجية مصر")
TITLES = (("President", "رئيس"), ("Foreign Minister", "وزير خارجية"), ("Defense Minister", "وزير دفاع"), ("Prime Minister", "رئيس وزراء"))
TERM_YEARS = 4  # officials change every few years: one per title, country and term

ARAB_FIRST = (
    ("Mohamed", "محمد"), ("Ahmed", "أحمد"), ("Mahmoud", "محمود"), ("Mostafa", "مصطفى"), ("Khaled", "خالد"), ("Omar", "عمر"),
    ("Ali", "علي"), ("Hassan", "حسن"), ("Hussein", "حسين"), ("Youssef", "يوسف"), ("Ibrahim", "إبراهيم"), ("Tarek", "طارق"),
    ("Karim", "كريم"), ("Hisham", "هشام"), ("Adel", "عادل"), ("Ayman", "أيمن"), ("Walid", "وليد"), ("Nabil", "نبيل"),
    ("Sherif", "شريف"), ("Amr", "عمرو"), ("Essam", "عصام"), ("Saad", "سعد"), ("Faisal", "فيصل"), ("Abdullah", "عبدالله"),
    ("Nasser", "ناصر"), ("Rashid", "راشد"), ("Hamad", "حمد"), ("Ziad", "زياد"), ("Samir", "سمير"), ("Fouad", "فؤاد"),
)
ARAB_LAST = (
    ("Al-Masri", "المصري"), ("Mansour", "منصور"), ("Hegazy", "حجازي"), ("Fahmy", "فهمي"), ("Shawky", "شوقي"), ("Ezzat", "عزت"),
    ("Ghanem", "غانم"), ("Zaki", "زكي"), ("Naguib", "نجيب"), ("Haddad", "حداد"), ("Al-Khoury", "الخوري"), ("Al-Tamimi", "التميمي"),
    ("Al-Otaibi", "العتيبي"), ("Al-Qahtani", "القحطاني"), ("Al-Hashimi", "الهاشمي"), ("Barakat", "بركات"), ("Salem", "سالم"),
    ("Ashour", "عاشور"), ("Badawi", "بدوي"), ("Lotfy", "لطفي"), ("Radwan", "رضوان"), ("Selim", "سليم"), ("Saleh", "صالح"),
    ("Kamal", "كمال"), ("Ramadan", "رمضان"), ("Othman", "عثمان"), ("Al-Sayed", "السيد"), ("Darwish", "درويش"), ("Khalil", "خليل"),
    ("Nasr", "نصر"),
)
OTHER_FIRST = (
    "John", "David", "Michael", "Anna", "Maria", "Pierre", "Hans", "Ivan", "Sergei", "Dmitri", "Olga", "Wei", "Hiroshi", "Kenji",
    "Carlos", "Luis", "Ana", "Giulia", "Marco", "Stefan", "Piotr", "Jan", "Lars", "Erik", "Mehmet", "Reza", "Arjun", "Ravi",
    "Elena", "Thomas",
)
OTHER_LAST = (
    "Smith", "Johnson", "Martin", "Dubois", "Schmidt", "Keller", "Ivanov", "Petrov", "Sokolov", "Wang", "Zhang", "Tanaka", "Sato",
    "Garcia", "Lopez", "Rossi", "Bianchi", "Kowalski", "Nowak", "Andersson", "Hansen", "Yilmaz", "Demir", "Hosseini", "Sharma",
    "Patel", "Silva", "Costa", "Novak", "Popescu",
)

# Outlets: (English name, Arabic name) parts. English outlets are "<place> <paper>"; Arabic ones "<name> <suffix>".
OUTLET_PLACES = ("Cairo", "Gulf", "Atlantic", "Levant", "Nile", "Eastern", "Global", "Capital", "Desert", "Harbor", "Metro",
                 "Northern", "Continental", "Coastal", "Delta", "Meridian", "Pacific", "Baltic", "Caspian", "Sahel")
OUTLET_PAPERS = ("Times", "Herald", "Tribune", "Post", "Observer", "Monitor", "Dispatch", "Chronicle", "Gazette", "Review",
                 "Journal", "Courier", "Ledger", "Standard", "Express")
ARABIC_OUTLETS = (
    ("Al-Fajr", "الفجر"), ("Al-Ofoq", "الأفق"), ("Al-Midan", "الميدان"), ("Al-Raay", "الرأي"), ("Al-Hadath", "الحدث"),
    ("Al-Bayan", "البيان"), ("Al-Manar", "المنار"), ("Al-Sabah", "الصباح"), ("Al-Sharq", "الشرق"), ("Al-Ghad", "الغد"),
    ("Al-Masar", "المسار"), ("Al-Watan", "الوطن"),
)
ARABIC_SUFFIXES = (("", ""), (" Al-Jadeed", " الجديد"), (" Today", " اليوم"), (" Al-Arabi", " العربي"), (" International", " الدولي"))
AGENCIES = (
    ("Orient Press Agency", "وكالة أنباء الشرق"), ("Mediterranean News Agency", "وكالة أنباء المتوسط"),
    ("Continental Wire", "وكالة الأنباء القارية"), ("Gulf News Agency", "وكالة أنباء الخليج"),
    ("Nile News Agency", "وكالة أنباء النيل"), ("Eurasia Wire", "وكالة أوراسيا"), ("Sahel Press", "وكالة الساحل"),
    ("Atlas News Agency", "وكالة أنباء أطلس"),
)

# Companies and organizations: the long tail of the actors. "<root> <industry> <kind>", numbered once exhausted.
COMPANY_ROOTS = ("Nile", "Delta", "Atlas", "Baltic", "Caspian", "Sahara", "Sinai", "Levant", "Tigris", "Euphrates", "Orion",
                 "Falcon", "Horizon", "Crescent", "Pyramid", "Aurora", "Taurus", "Volga", "Ural", "Danube", "Aegean", "Zagros",
                 "Hijaz", "Maghreb", "Sahel", "Anatolia", "Carpathian", "Amur", "Nordic", "Red Sea")
COMPANY_INDUSTRIES = ("Defense", "Aerospace", "Arms", "Munitions", "Shipbuilding", "Avionics", "Armor", "Electronics",
                      "Logistics", "Engineering", "Optics", "Motors", "Dynamics", "Ordnance", "Energy")
COMPANY_KINDS = ("Company", "Group", "Corporation", "Industries", "Holding", "Works", "Bureau", "Consortium")

# Things claims are about: (English label, Arabic). Arms can carry a quantity; the rare word is used apart.
ARMS = (
    ("missiles", "صواريخ"), ("artillery shells", "قذائف مدفعية"), ("drones", "طائرات مسيرة"), ("tanks", "دبابات"),
    ("fighter jets", "طائرات مقاتلة"), ("air defense systems", "منظومات دفاع جوي"), ("helicopters", "مروحيات"),
    ("warships", "سفن حربية"), ("armored vehicles", "مركبات مدرعة"), ("small arms", "أسلحة خفيفة"), ("ammunition", "ذخائر"),
    ("radar systems", "أنظمة رادار"), ("anti-tank missiles", "صواريخ مضادة للدبابات"), ("submarines", "غواصات"),
    ("patrol boats", "زوارق دورية"), ("rifles", "بنادق"),
)
TOPICS = (
    ("nuclear energy", "الطاقة النووية"), ("wheat imports", "واردات القمح"), ("counter-terrorism", "مكافحة الإرهاب"),
    ("border security", "أمن الحدود"), ("tourism", "السياحة"), ("natural gas", "الغاز الطبيعي"), ("a free trade zone", "منطقة تجارة حرة"),
    ("debt relief", "تخفيف الديون"), ("maritime security", "الأمن البحري"), ("water sharing", "تقاسم المياه"),
    ("railway construction", "إنشاء السكك الحديدية"), ("military training", "التدريب العسكري"), ("space cooperation", "التعاون الفضائي"),
    ("food security", "الأمن الغذائي"), ("cybersecurity", "الأمن السيبراني"), ("investment", "الاستثمار"),
    ("power plants", "محطات الكهرباء"), ("refugees", "اللاجئين"), ("the war in Ukraine", "الحرب في أوكرانيا"),
    ("regional security", "الأمن الإقليمي"),
)
TALKS = (("security", "أمنية"), ("military", "عسكرية"), ("economic", "اقتصادية"), ("strategic", "استراتيجية"), ("trade", "تجارية"))
EXERCISES = (("naval", "بحرية"), ("air", "جوية"), ("land", "برية"))
AID = (("humanitarian aid", "مساعدات إنسانية"), ("military aid", "مساعدات عسكرية"), ("economic aid", "مساعدات اقتصادية"),
       ("food aid", "مساعدات غذائية"))

RARE_WORD = "hovercraft"  # in RARE_CLAIMS claims of a generated corpus and nowhere else
RARE_CLAIMS = 7

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")
MONTHS_AR = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر")
