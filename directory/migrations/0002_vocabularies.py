"""A sensible starting list for each vocabulary; administrators edit them later."""

from django.db import migrations

SERVICES = [
    ("oncology-massage", "Oncology massage"),
    ("manual-lymphatic-drainage", "Manual lymphatic drainage"),
    ("lymphedema-therapy", "Lymphedema therapy"),
    ("reflexology", "Reflexology"),
    ("comfort-touch", "Gentle or comfort touch"),
    ("hand-and-foot-massage", "Hand and foot massage"),
    ("seated-massage", "Seated massage"),
    ("scar-tissue-massage", "Scar tissue massage"),
]
PHASES = [
    ("newly-diagnosed", "Newly diagnosed"),
    ("active-treatment", "In active treatment"),
    ("after-surgery", "Recovering from surgery"),
    ("survivorship", "Survivorship, after treatment"),
    ("advanced-cancer", "Advanced cancer and palliative care"),
    ("end-of-life", "End of life"),
]
CARE_SETTINGS = [
    ("hospital", "Hospital"),
    ("outpatient", "Outpatient or infusion centre"),
    ("hospice", "Hospice or palliative care"),
    ("private-practice", "Private practice"),
    ("home-visits", "Home visits"),
]
CANCER_TYPES = [
    ("breast", "Breast cancer"),
    ("prostate", "Prostate cancer"),
    ("lung", "Lung cancer"),
    ("colorectal", "Bowel (colorectal) cancer"),
    ("blood", "Blood cancers (leukaemia, lymphoma, myeloma)"),
    ("head-and-neck", "Head and neck cancer"),
    ("gynaecological", "Gynaecological cancers"),
    ("skin", "Skin cancer and melanoma"),
    ("brain", "Brain tumours"),
    ("pancreatic", "Pancreatic cancer"),
    ("bladder-kidney", "Bladder and kidney cancer"),
    ("childhood", "Childhood and young adult cancers"),
]
LANGUAGES = [
    ("en", "English"),
    ("es", "Spanish"),
    ("fr", "French"),
    ("de", "German"),
    ("pt", "Portuguese"),
    ("it", "Italian"),
    ("zh", "Chinese"),
    ("vi", "Vietnamese"),
    ("ko", "Korean"),
    ("tl", "Tagalog"),
    ("ar", "Arabic"),
    ("hi", "Hindi"),
    ("ur", "Urdu"),
    ("pl", "Polish"),
    ("ru", "Russian"),
    ("cy", "Welsh"),
    ("asl", "American Sign Language"),
    ("bsl", "British Sign Language"),
]


def add_vocabularies(apps, schema_editor):
    for model_name, rows in [
        ("Service", SERVICES),
        ("Phase", PHASES),
        ("CareSetting", CARE_SETTINGS),
        ("CancerType", CANCER_TYPES),
    ]:
        model = apps.get_model("directory", model_name)
        for position, (slug, name) in enumerate(rows):
            model.objects.update_or_create(slug=slug, defaults={"name": name, "position": position})
    Language = apps.get_model("directory", "Language")
    for position, (code, name) in enumerate(LANGUAGES):
        Language.objects.update_or_create(code=code, defaults={"slug": code, "name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(add_vocabularies, migrations.RunPython.noop)]
