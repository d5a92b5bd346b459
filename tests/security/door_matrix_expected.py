PERSONAS = ["anonymous", "secretary", "deputy", "member", "guest", "board", "inspection", "standing", "auditor", "outsider", "ended"]
STAGES = ["draft", "collecting_opinions", "awaiting_guidance", "finalizing", "submitted", "approved", "closed", "cancelled"]
VERDICTS = {}
TABLES = {}
KNOWN_LEAKS = {}
def expected():
    return {}
