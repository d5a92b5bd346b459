def exception_handler(exc, context):  # replaced by the API issue
    from rest_framework.views import exception_handler as default

    return default(exc, context)
