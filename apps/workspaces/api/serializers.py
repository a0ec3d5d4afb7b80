from typing import Any

from rest_framework import serializers


class FileActionInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["mkdir", "move"])
    to = serializers.CharField(
        required=False, max_length=4096, trim_whitespace=False, help_text="For move: the new path."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["action"] == "move" and not attrs.get("to"):
            raise serializers.ValidationError({"to": "A move needs the new path in 'to'."})
        return attrs


class ShareCreateInputSerializer(serializers.Serializer):
    path = serializers.CharField(max_length=4096, trim_whitespace=False)
    grantee = serializers.CharField(max_length=150, help_text='A username, or "*" for everybody.')


class LinkSerializer(serializers.Serializer):
    href = serializers.URLField()
    rel = serializers.CharField()
    type = serializers.CharField()
    title = serializers.CharField(required=False)


class WorkspaceOutputSerializer(serializers.Serializer):
    usedBytes = serializers.IntegerField()
    quotaBytes = serializers.IntegerField()
    usedPercent = serializers.FloatField()
    links = LinkSerializer(many=True)


class EntryOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    path = serializers.CharField(help_text='From the workspace root; shared items under "shared/".')
    type = serializers.ChoiceField(choices=["file", "folder"])
    size = serializers.IntegerField()
    modified = serializers.DateTimeField(allow_null=True)
    mediaType = serializers.CharField(allow_null=True)
    readOnly = serializers.BooleanField()
    href = serializers.URLField()
    sharedWith = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text='Own items only: who may read it ("*" for everybody).',
    )


class ListingOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    path = serializers.CharField()
    type = serializers.CharField()
    readOnly = serializers.BooleanField()
    entries = EntryOutputSerializer(many=True)
    numberMatched = serializers.IntegerField()
    numberReturned = serializers.IntegerField()
    links = LinkSerializer(many=True)


class UploadProgressOutputSerializer(serializers.Serializer):
    path = serializers.CharField()
    offset = serializers.IntegerField(help_text="Bytes received so far: send the next from here.")
    total = serializers.IntegerField()


class ShareOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    path = serializers.CharField()
    grantee = serializers.CharField()
    permission = serializers.CharField()
    created = serializers.DateTimeField()
    links = LinkSerializer(many=True)


class ShareListOutputSerializer(serializers.Serializer):
    shares = ShareOutputSerializer(many=True)
    numberMatched = serializers.IntegerField()
    numberReturned = serializers.IntegerField()
    links = LinkSerializer(many=True)
