from django.contrib import admin

from .models import Court, Judge

admin.site.register(Court)
admin.site.register(Judge)
