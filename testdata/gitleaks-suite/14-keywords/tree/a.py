svc_token = "9f1c2e7a4b8d3f6019e5c7a2b4d8f1e3"
