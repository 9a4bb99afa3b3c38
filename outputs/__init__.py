"""Writing plans to files, and the independent plan checker that reads them back."""
