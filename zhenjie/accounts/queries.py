from django.db.models import Prefetch, QuerySet

from .models import Post, Role


def my_posts(user) -> QuerySet[Post]:
    return (
        Post.objects.filter(user=user, is_active=True)
        .select_related("unit", "unit__area", "jurisdiction")
        .prefetch_related(Prefetch("roles", queryset=Role.objects.order_by("code")))
        .order_by("pk")
    )
