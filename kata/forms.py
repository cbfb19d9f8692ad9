from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """``{{ form }}`` renders its errors and fields once, in the wrapper the CSS styles.

    The form template says what was refused; each field (``as_field_group``) comes in the field
    template's wrapper, marked when it has an error.
    """

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
