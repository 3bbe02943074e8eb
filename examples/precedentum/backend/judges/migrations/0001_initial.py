import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Court",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=16, unique=True)),
                ("name", models.CharField(max_length=200)),
            ],
        ),
        migrations.CreateModel(
            name="Judge",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("slug", models.SlugField(unique=True)),
                ("full_name", models.CharField(max_length=200)),
                ("title", models.CharField(default="District Judge", max_length=100)),
                ("court", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="judges",
                                            to="judges.court")),
            ],
            options={"ordering": ["full_name"]},
        ),
    ]
