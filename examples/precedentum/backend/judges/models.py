from django.db import models


class Court(models.Model):
    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=200)

    def __str__(self):
        return self.name


class Judge(models.Model):
    court = models.ForeignKey(Court, on_delete=models.CASCADE, related_name="judges")
    slug = models.SlugField(unique=True)
    full_name = models.CharField(max_length=200)
    title = models.CharField(max_length=100, default="District Judge")

    class Meta:
        ordering = ["full_name"]

    def __str__(self):
        return self.full_name
