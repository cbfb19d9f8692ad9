from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Every field rendered with ``as_field_group`` comes in the one wrapper the CSS styles."""

    field_template_name = "forms/field.html"
