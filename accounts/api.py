"""API authentication: obtain named tokens, list and revoke them."""

from typing import Any, cast

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_schema import INVALID, error_responses
from core.text import single_line

from .exceptions import LoginBlocked, SecondFactorRequired
from .models import ApiToken, User
from .services import token_create, token_revoke
from .throttle import login_retry_after
from .two_factor import has_second_factor, second_factor_check


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>`, the token from POST /api/v1/auth/token/.",
        }


class ObtainTokenSerializer(serializers.Serializer):
    username = serializers.CharField(help_text="The account's e-mail address.")
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(
        required=False,
        max_length=100,
        default="API",
        validators=[single_line],
        help_text="To recognise the token later.",
    )
    code = serializers.CharField(
        required=False,
        max_length=20,
        help_text="For an account with two-factor sign-in: the authenticator's current code "
        "(or a recovery code).",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        # Declared here: as a class attribute, "read_only" would shadow Field.read_only.
        fields = super().get_fields()
        fields["read_only"] = serializers.BooleanField(
            default=False,
            help_text="A key for reading only: anything but GET, HEAD and OPTIONS is refused "
            "with it (`read_only_token`, 403).",
        )
        return fields


class TokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields: tuple[str, ...] = (
            "id",
            "name",
            "prefix",
            "read_only",
            "created_at",
            "last_used_at",
        )


class NewTokenSerializer(TokenSerializer):
    token = serializers.CharField(help_text="Shown only once: store it now.")

    class Meta(TokenSerializer.Meta):
        fields = ("token", *TokenSerializer.Meta.fields)


class ObtainTokenView(APIView):
    """Exchange an e-mail and password for a new named token."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request: Request) -> str:
        # Wrong credentials are a 401 (DRF makes it a 403 when no scheme is announced).
        return "Token"

    @extend_schema(
        request=ObtainTokenSerializer,
        responses={
            201: NewTokenSerializer,
            **error_responses(
                {
                    **INVALID,
                    401: "`authentication_failed`: wrong e-mail or password; "
                    "`second_factor_required`: the account has two-factor sign-in, send `code`; "
                    "`second_factor_invalid`: a wrong code.",
                    429: "`login_blocked`: too many failed attempts for this account from this "
                    "address; `retry_after` says in how many seconds to try again.",
                }
            ),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = ObtainTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        username = serializer.validated_data["username"]
        # django-axes counts this attempt (and refuses it during a cool-off) inside authenticate.
        user = authenticate(
            request._request, username=username, password=serializer.validated_data["password"]
        )
        if user is None:
            if getattr(request._request, "axes_locked_out", False):
                raise LoginBlocked(
                    retry_after=login_retry_after(request=request._request, username=username)
                )
            raise AuthenticationFailed(_("Wrong e-mail address or password."))
        if has_second_factor(user):
            code = serializer.validated_data.get("code")
            if not code:
                raise SecondFactorRequired()
            second_factor_check(user=user, code=code)
        # A token obtained is a sign-in: django-axes resets the failures, last_login moves.
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        token, raw = token_create(
            user=user,
            name=serializer.validated_data["name"],
            read_only=serializer.validated_data["read_only"],
        )
        body = {**TokenSerializer(token).data, "token": raw}
        return Response(body, status=status.HTTP_201_CREATED)


class TokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Your API tokens; deleting one revokes it."""

    serializer_class = TokenSerializer

    def get_queryset(self) -> QuerySet[ApiToken]:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=cast(User, self.request.user), revoked_at__isnull=True)

    def perform_destroy(self, instance: ApiToken) -> None:
        token_revoke(token=instance)
