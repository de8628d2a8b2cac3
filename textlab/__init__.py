"""textlab: recurrent language models you can chat with and study."""
