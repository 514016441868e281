def render_detail(request, application, forms=None, error=None, action=""):
    raise NotImplementedError
