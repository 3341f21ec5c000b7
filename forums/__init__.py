"""Hello Neighbourhood forums: issues, common issues and small grants."""
